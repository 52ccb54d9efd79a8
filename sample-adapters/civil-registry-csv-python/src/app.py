"""The component's entry point: the contract's `mapping` interface for the civil-registry CSV
adapter, written in Python.

componentize-py looks for a class named after the exported interface (`Mapping`) in this
module and makes its methods the component's exports. This module only chooses a
translation from the message's leg and content type, and turns the translations' Python
values and exceptions into the contract's types; the translations live in `civil_registry`.

The hub is reached through `Mapping.host`, the contract's two imports in the component; a
test replaces it with a stand-in so that the same code runs natively.
"""

from __future__ import annotations

from collections.abc import Callable

from civil_registry import receipt, record
from civil_registry.checks import WHITE_SPACE, Catalogue, ascii_lower
from civil_registry.violations import Declined, Internal, Rejected, Unsupported
from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import catalogue, log, types

#: The adapter's name and version, as `describe` reports them.
NAME = "civil-registry-csv-python"
VERSION = "0.1.0"

#: The registry's content type, and the only one `to_national` reads.
CSV = "text/csv; charset=utf-8"
#: The standards' content type, and the only one `to_local` reads.
JSON = "application/json"

#: The standards this adapter produces and reads, as `id@version`.
STANDARDS = ("citizen-record@1.0", "citizen-receipt@1.0")

#: A translation: the hub, the body it reads, and the body it writes with its record count.
Translation = Callable[[Catalogue, bytes], tuple[bytes, int]]


class WasmHost:
    """The hub, through the contract's imports."""

    def lookup(self, name: str, code: str) -> catalogue.Entry | None:
        """Finds `code` in the hub's catalogue `name`."""
        return catalogue.lookup(name, code)

    def log(self, level: log.Level, message: str, fields: list[tuple[str, str]]) -> None:
        """Writes one line into the hub's log; never pass message contents."""
        log.write(level, message, fields)


class Mapping(exports.Mapping):
    """The civil-registry CSV adapter."""

    #: The hub as this adapter reaches it; tests put a stand-in here.
    host = WasmHost()

    def describe(self) -> types.Description:
        return types.Description(
            name=NAME, version=VERSION, standards=list(STANDARDS), services=[]
        )

    def to_national(self, cx: types.Context, msg: types.Message) -> types.Message:
        supported_standard(cx)
        expect_csv(msg)
        translate = record.to_national if cx.phase == types.Phase.REQUEST else receipt.to_national
        return self._finish(cx, "to-national", translate, msg, JSON)

    def to_local(self, cx: types.Context, msg: types.Message) -> types.Message:
        supported_standard(cx)
        if media_type(msg.content_type) != JSON:
            raise Err(
                types.AdapterError_Unsupported(
                    f"content type `{msg.content_type}` is not read by this adapter; send `{JSON}`"
                )
            )
        translate = record.to_local if cx.phase == types.Phase.REQUEST else receipt.to_local
        return self._finish(cx, "to-local", translate, msg, CSV)

    def _finish(
        self,
        cx: types.Context,
        direction: str,
        translate: Translation,
        msg: types.Message,
        content_type: str,
    ) -> types.Message:
        """Runs a translation and wraps its body in a message, keeping the caller's metadata,
        or turns its refusal into the contract's error; logs the outcome without any of the
        message's contents."""
        leg = "request" if cx.phase == types.Phase.REQUEST else "reply"
        try:
            body, records = translate(self.host, bytes(msg.body))
        except Rejected as rejected:
            fields = [
                ("direction", direction),
                ("phase", leg),
                ("violations", str(len(rejected.violations))),
            ]
            self.host.log(log.Level.INFO, "refused message", fields)
            raise Err(contract_error(rejected)) from None
        except Declined as declined:
            raise Err(contract_error(declined)) from None
        except Exception as err:
            # A bug here, not a fault of the message. Left uncaught, Python would print a
            # traceback, and printing traps the component; the exception's text may quote the
            # message, so only its type goes to the log.
            self.host.log(log.Level.ERROR, "adapter failed", [("exception", type(err).__name__)])
            raise Err(
                types.AdapterError_Internal(f"the adapter failed: {type(err).__name__}")
            ) from None
        fields = [("direction", direction), ("phase", leg), ("records", str(records))]
        self.host.log(log.Level.DEBUG, "translated message", fields)
        return types.Message(content_type=content_type, metadata=msg.metadata, body=body)


def contract_error(declined: Declined) -> types.AdapterError:
    """The contract's variant for a translation's refusal."""
    if isinstance(declined, Rejected):
        violations = [types.Violation(v.path, v.code, v.message) for v in declined.violations]
        return types.AdapterError_Rejected(violations)
    if isinstance(declined, Unsupported):
        return types.AdapterError_Unsupported(str(declined))
    assert isinstance(declined, Internal)
    return types.AdapterError_Internal(str(declined))


def supported_standard(cx: types.Context) -> None:
    """Either standard may be named on either leg: the hub may name the service's standard on
    both, or the reply's own on the reply leg. The leg, not the name, picks the translation."""
    if cx.standard not in STANDARDS:
        raise Err(
            types.AdapterError_Unsupported(
                f"standard `{cx.standard}` is not handled; this adapter handles "
                f"{' and '.join(STANDARDS)}"
            )
        )


def expect_csv(msg: types.Message) -> None:
    """Accepts `text/csv` in UTF-8. A file that declares another charset (Windows-1258,
    TCVN3) would be misread, so it is declined rather than guessed at."""
    charset = None
    for parameter in msg.content_type.split(";")[1:]:
        key, equals, value = parameter.partition("=")
        if equals and ascii_lower(key.strip(WHITE_SPACE)) == "charset":
            charset = ascii_lower(value.strip(WHITE_SPACE).strip('"'))
            break
    if media_type(msg.content_type) != "text/csv" or charset not in (None, "utf-8", "utf8"):
        raise Err(
            types.AdapterError_Unsupported(
                f"content type `{msg.content_type}` is not read by this adapter; send `{CSV}`"
            )
        )


def media_type(content_type: str) -> str:
    """The media type without parameters, lowercased: `text/csv; charset=utf-8` is
    `text/csv`."""
    return ascii_lower(content_type.split(";", 1)[0].strip(WHITE_SPACE))
