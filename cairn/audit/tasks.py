from procrastinate.contrib.django import app

from cairn.audit.chain import seal_pending


@app.periodic(cron="* * * * *", periodic_id="audit-seal")
@app.task(name="audit.seal", queueing_lock="audit-seal")
def seal_audit_log(timestamp: int) -> int:
    """Seal the audit rows written since the last run (every minute)."""
    return seal_pending()
