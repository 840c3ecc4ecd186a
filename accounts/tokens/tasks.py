from celery import shared_task

from accounts.tokens import services


@shared_task
def purge_expired_api_tokens(batch_size: int = 5000) -> int:
    return services.api_tokens_purge_expired(batch_size=batch_size)
