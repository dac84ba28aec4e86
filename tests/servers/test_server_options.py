"""A user's mysqld options: the server must take them, and they must leave it private."""

from __future__ import annotations

import pytest

from chaos.errors import UsageError
from chaos.servers.binary import find_server_binary
from chaos.servers.server_options import check_server_options


@pytest.fixture(scope="module")
def binary() -> str:
    return find_server_binary().path


def test_options_the_server_takes_are_kept_as_given(binary: str) -> None:
    options = ("--max-connections=50", "--sql_mode=ANSI", "--bind-address=127.0.0.1")
    assert check_server_options(binary, options, "here") == options


@pytest.mark.parametrize(
    ("option", "changes"),
    [
        ("--skip-grant-tables", "skip-grant-tables"),
        ("--skip-grant", "skip-grant-tables"),  # a unique prefix: the server reads it so
        ("--enable-skip-grant-tables", "skip-grant-tables"),
        ("--bind-address=0.0.0.0", "bind-address"),
        ("--bind=::", "bind-address"),
        ("--port=3306", "port"),
        ("--socket=/tmp/x.sock", "socket"),
        ("--datadir=/var/lib/mysql", "datadir"),
        ("--secure-file-priv=", "secure-file-priv"),
        ("--secure_file_priv=/", "secure-file-priv"),
        ("--skip-name-resolve=0", "skip-name-resolve"),
        ("--loose-extra-port=7", "extra-port"),
        ("--init-file=/tmp/x.sql", "init-file"),
        ("--general-log-file=/etc/x", "general-log-file"),
    ],
)
def test_an_option_that_changes_a_protected_setting_is_refused(
    binary: str, option: str, changes: str
) -> None:
    with pytest.raises(UsageError) as caught:
        check_server_options(binary, ("--max-connections=50", option), "here")
    assert str(caught.value).startswith(f"here: {option} refused: it changes {changes}, ")


@pytest.mark.parametrize("option", ["--user=root", "--us=root", "--plugin-load-add=x.so"])
def test_options_the_server_does_not_list_are_refused_by_name(binary: str, option: str) -> None:
    with pytest.raises(UsageError, match=f"^here: {option} refused: the suite never passes"):
        check_server_options(binary, (option,), "here")


@pytest.mark.parametrize(
    ("option", "words"),
    [
        ("--no-such-option=1", "unknown variable 'no-such-option=1'"),
        ("--max-connections=lots", "Error while setting value 'lots' to 'max_connections'"),
    ],
)
def test_an_option_the_server_refuses_is_one_line_in_its_words(
    binary: str, option: str, words: str
) -> None:
    with pytest.raises(UsageError) as caught:
        check_server_options(binary, (option,), "here")
    message = str(caught.value)
    assert message.startswith(f"here: the server refuses {option}: ") and words in message
    assert "\n" not in message


@pytest.mark.parametrize("option", ["-x", "max-connections=5", "--", "--help", "--version", ""])
def test_what_is_not_a_server_setting_is_refused_before_asking_the_server(option: str) -> None:
    with pytest.raises(UsageError, match=r"^here: "):
        check_server_options("/nonexistent/mariadbd", (option,), "here")
