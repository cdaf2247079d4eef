"""Device alerts: personal alarms and apps that send a position with accuracy."""

from cairn.contacts.channels.base import ChannelAdapter
from cairn.contacts.channels.device.inbound import parse
from cairn.contacts.models import Channel

ADAPTER = ChannelAdapter(channel=Channel.DEVICE, source="webhook:device", inbound=parse)
