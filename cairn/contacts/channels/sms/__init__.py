"""SMS: the text message provider's JSON webhook.

Its outbound pair, texts sent to people, is ``cairn.notify.channels.sms`` (docs/notify.md).
"""

from cairn.contacts.channels.base import ChannelAdapter
from cairn.contacts.channels.sms.inbound import parse
from cairn.contacts.models import Channel

ADAPTER = ChannelAdapter(channel=Channel.SMS, source="webhook:sms", inbound=parse)
