"""Email: a raw RFC 5322 message forwarded by the mail gateway."""

from cairn.contacts.channels.base import ChannelAdapter
from cairn.contacts.channels.email.inbound import parse
from cairn.contacts.models import Channel

ADAPTER = ChannelAdapter(channel=Channel.EMAIL, source="webhook:email", inbound=parse)
