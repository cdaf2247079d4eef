"""Web chat: the chat service's transcript, delivered when a chat ends."""

from cairn.contacts.channels.base import ChannelAdapter
from cairn.contacts.channels.web_chat.inbound import parse
from cairn.contacts.models import Channel

ADAPTER = ChannelAdapter(channel=Channel.WEB_CHAT, source="webhook:web_chat", inbound=parse)
