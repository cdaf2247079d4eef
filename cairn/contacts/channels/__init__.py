"""Channel adapters: one folder per channel, each an inbound parser paired with a sender.

The recipe for adding one is in README.md beside this file.
"""

from cairn.contacts.channels.base import ChannelAdapter
from cairn.contacts.channels.device import ADAPTER as DEVICE
from cairn.contacts.channels.email import ADAPTER as EMAIL
from cairn.contacts.channels.sms import ADAPTER as SMS
from cairn.contacts.channels.social import ADAPTER as SOCIAL
from cairn.contacts.channels.web_chat import ADAPTER as WEB_CHAT

ADAPTERS: dict[str, ChannelAdapter] = {
    str(adapter.channel): adapter for adapter in (EMAIL, SMS, WEB_CHAT, SOCIAL, DEVICE)
}
