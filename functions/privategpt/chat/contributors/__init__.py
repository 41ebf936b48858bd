"""The contributors of a turn's context, each a small unit asked for its share of the token budget.

A turn's prompt is assembled from parts: the system prompt, the definitions of the tools offered, the retrieved
sources, the history window and the new message (quick chat: the messages it was given). ``base.assemble`` asks
each contributor in turn for its part within what the window leaves after the answer's reserve; a feature
(retrieval, tools) is one more contributor, not a branch in the chat service.
"""

from privategpt.chat.contributors.base import Assembled, Contributor, Part, assemble
from privategpt.chat.contributors.given import Given
from privategpt.chat.contributors.history import History
from privategpt.chat.contributors.sources import RagRequest, Source, Sources
from privategpt.chat.contributors.system_prompt import SystemPrompt
from privategpt.chat.contributors.tools import ToolChoice, Tools

__all__ = [
    "Assembled",
    "Contributor",
    "Given",
    "History",
    "Part",
    "RagRequest",
    "Source",
    "Sources",
    "SystemPrompt",
    "ToolChoice",
    "Tools",
    "assemble",
]
