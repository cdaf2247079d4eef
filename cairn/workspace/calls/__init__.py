"""Call taking for service advisors and control room operators (999 and 101)."""
