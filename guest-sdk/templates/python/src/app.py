"""The component's entry point for {{name}}: the contract's `mapping` interface.

componentize-py looks for a class named after the exported interface (`Mapping`) in this
module and makes its methods the component's exports. Its types are the dataclasses that
componentize-py generates from the contract (`wit_world.imports.types`): `Message`,
`Context`, `Description` and the three cases of `AdapterError`, which are returned by
raising `Err(...)`. The translations themselves are in `translation.py`.
"""

from __future__ import annotations

from collections.abc import Callable

import translation
from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import catalogue, log, types

#: The adapter's name and version, as the hub's log and `describe` show them.
NAME = "{{name}}"
VERSION = "0.1.0"
#: The standard this adapter produces and reads, as `id@version`: the one the hub's
#: operator declares for `standard.schema.json`. Change it with the schema.
STANDARD = "example-person@1.0"
#: The content type of both forms.
JSON = "application/json"


class WasmHost:
    """The hub, through the contract's two imports."""

    def lookup(self, name: str, code: str) -> catalogue.Entry | None:
        return catalogue.lookup(name, code)

    def log(self, level: log.Level, message: str, fields: list[tuple[str, str]]) -> None:
        log.write(level, message, fields)


class Mapping(exports.Mapping):
    """{{name}}."""

    #: The hub as this adapter reaches it; a test may put a stand-in here.
    host = WasmHost()

    def describe(self) -> types.Description:
        return types.Description(name=NAME, version=VERSION, standards=[STANDARD], services=[])

    def to_national(self, cx: types.Context, msg: types.Message) -> types.Message:
        return self._translate(cx, msg, "to-national", translation.to_national)

    def to_local(self, cx: types.Context, msg: types.Message) -> types.Message:
        return self._translate(cx, msg, "to-local", translation.to_local)

    def _translate(
        self,
        cx: types.Context,
        msg: types.Message,
        direction: str,
        translate: Callable[[translation.Catalogue, bytes], bytes],
    ) -> types.Message:
        """Runs one translation; a refusal becomes the contract's `rejected` error."""
        if msg.content_type.split(";")[0].strip().lower() != JSON:
            raise Err(types.AdapterError_Unsupported(f"send {JSON}, not {msg.content_type}"))
        try:
            body = translate(self.host, msg.body)
        except translation.Rejected as rejected:
            # Counts and names only: a log line never carries the message's contents.
            fields = [("direction", direction), ("violations", str(len(rejected.violations)))]
            self.host.log(log.Level.INFO, "refused message", fields)
            violations = [types.Violation(v.path, v.code, v.message) for v in rejected.violations]
            raise Err(types.AdapterError_Rejected(violations)) from None
        except Exception as err:
            # A bug, not a fault of the message. Left uncaught, Python would print a traceback,
            # and printing traps the component; its text may quote the message, so only the
            # exception's type is logged.
            self.host.log(log.Level.ERROR, "adapter failed", [("exception", type(err).__name__)])
            raise Err(
                types.AdapterError_Internal(f"{type(err).__name__} in {direction}")
            ) from None
        self.host.log(log.Level.DEBUG, "translated message", [("direction", direction)])
        return types.Message(content_type=JSON, metadata=msg.metadata, body=body)
