"""Social media direct messages, relayed by the social media gateway."""

from cairn.contacts.channels.base import ChannelAdapter
from cairn.contacts.channels.social.inbound import parse
from cairn.contacts.models import Channel

ADAPTER = ChannelAdapter(channel=Channel.SOCIAL, source="webhook:social", inbound=parse)
