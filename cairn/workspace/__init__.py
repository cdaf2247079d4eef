"""Staff pages: login, queue, assessment, person, case, dashboards, audit."""
