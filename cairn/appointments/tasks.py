from procrastinate.contrib.django import app

from cairn.appointments.reminders import send_due_reminders
from cairn.audit.context import acting_as


@app.periodic(cron="*/5 * * * *", periodic_id="appointments-reminders")
@app.task(name="appointments.send_reminders", queueing_lock="appointments-reminders")
def send_appointment_reminders(timestamp: int) -> dict[str, int]:
    """Every five minutes: the day-before and hour-before reminders now due, each once."""
    with acting_as("task"):
        return send_due_reminders()
