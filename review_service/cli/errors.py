"""How the command line answers a failure: one line in Chinese on stderr and an exit status, never a traceback.

``cli.main`` hands every exception a command raises to :func:`describe`, which names the
situation for the person at the terminal: a refused input (the service's own errors, a bad
value, a file that cannot be read), a database that is missing, locked, unreachable or not
migrated, and, as a last resort, anything else by its class. ``REVIEW_SERVICE_DEBUG=1`` lets
the traceback through instead (for a developer). Exit status 1 for all of these; argparse
answers a usage error with 2 (``cli.base.Parser``); an interrupt gives 130.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEBUG_ENV = "REVIEW_SERVICE_DEBUG"
REFUSED = 1
INTERRUPTED = 130
_MAX_LENGTH = 1000


@dataclass(frozen=True)
class Failure:
    """The one line to print and the exit status."""

    line: str
    status: int = REFUSED


def debugging() -> bool:
    """Whether a developer asked for tracebacks (``REVIEW_SERVICE_DEBUG=1``)."""
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


def one_line(text: object) -> str:
    """``text`` on one line: its lines joined with '；', blanks dropped, bounded in length."""
    parts = [part.strip() for part in str(text).splitlines() if part.strip()]
    joined = "；".join(parts)
    return joined if len(joined) <= _MAX_LENGTH else joined[: _MAX_LENGTH - 1] + "…"


def describe(error: BaseException) -> Failure:
    """The line and status for ``error`` (any exception a command let out)."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from review_service.core.errors import ServiceError

    if isinstance(error, KeyboardInterrupt):
        return Failure("已中断", INTERRUPTED)
    if isinstance(error, ServiceError):
        return Failure(_service_line(error))
    if _is_refusal(error):
        return Failure(f"错误：{one_line(error)}")
    if isinstance(error, DBAPIError):
        return Failure(_database_line(error))
    if isinstance(error, SQLAlchemyError):
        return Failure(f"数据库错误（{type(error).__name__}）：{one_line(str(error).split('(Background')[0])}")
    if isinstance(error, OSError):
        return Failure(_file_line(error))
    if isinstance(error, UnicodeError):
        return Failure(f"错误：文件不是 UTF-8 编码的文本（{one_line(error)}）")
    if isinstance(error, ValueError):
        return Failure(f"错误：输入值不正确：{one_line(error)}")
    return Failure(f"内部错误（{type(error).__name__}）：{one_line(error) or '无说明'}；"
                   f"请联系维护人员（设置 {DEBUG_ENV}=1 可查看详细信息）")


def _service_line(error: object) -> str:
    from review_service.core.errors import ServiceError

    assert isinstance(error, ServiceError)
    fields = getattr(error, "fields", None)
    detail = "；".join(f"{key}: {value}" for key, value in fields.items()) if fields else ""
    return one_line(f"错误（{error.code}）：{error.message}{'（' + detail + '）' if detail else ''}")


def _is_refusal(error: BaseException) -> bool:
    """The CLI's own refusals and the audit log's: their messages are written for people already."""
    from review_service.audit.checkpoint_writer import LogNotWhole
    from review_service.audit.checkpoints import CheckpointError, SigningKeyError
    from review_service.cli.base import CommandError

    return isinstance(error, CommandError | SigningKeyError | CheckpointError | LogNotWhole)


def _database_line(error: object) -> str:
    """A database the command could not use: not migrated, locked, unreachable, or another driver error."""
    from sqlalchemy.exc import DBAPIError

    assert isinstance(error, DBAPIError)
    original = error.orig
    said = one_line(str(original)) if original is not None else type(error).__name__
    sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if "no such table" in said or sqlstate == "42P01" or ("relation" in said and "does not exist" in said):
        return f"数据库尚未初始化或未升级到当前版本（{said}）：请先运行 review-service init"
    if "database is locked" in said or sqlstate in ("55P03", "40P01"):
        return f"数据库正被其他进程占用，请稍后重试（{said}）"
    if "unable to open database file" in said:
        return f"无法打开数据库文件，请检查 REVIEW_SERVICE_INSTANCE 或 REVIEW_SERVICE_DATABASE_URL（{said}）"
    if error.connection_invalidated or ("connection" in said.lower() and sqlstate in (None, "08001", "08006")):
        return f"无法连接数据库，请检查 REVIEW_SERVICE_DATABASE_URL 与数据库服务（{said}）"
    return f"数据库错误（{type(original).__name__ if original is not None else type(error).__name__}）：{said}"


def _file_line(error: OSError) -> str:
    """A file or folder the command could not use, named, with the reason in Chinese."""
    where = error.filename if error.filename is not None else ""
    reason = error.strerror or one_line(error) or type(error).__name__
    if isinstance(error, FileNotFoundError):
        return f"错误：文件或目录不存在：{where}"
    if isinstance(error, PermissionError):
        return f"错误：没有权限访问：{where}"
    if isinstance(error, IsADirectoryError):
        return f"错误：这是目录，不是文件：{where}"
    if isinstance(error, NotADirectoryError):
        return f"错误：路径中有一段不是目录：{where}"
    if isinstance(error, FileExistsError):
        return f"错误：已存在同名文件，无法创建目录或文件：{where}"
    return f"错误：文件读写失败（{reason}）{('：' + str(where)) if where else ''}"
