"""ConnectionSettings: URLs in, pymysql keyword arguments out."""

from __future__ import annotations

import pytest

from chaos.errors import UsageError
from chaos.settings import ConnectionSettings


def test_url_gives_every_field():
    settings = ConnectionSettings.from_url("mysql://alice:s3cret@db.example:3307/shop")
    assert (settings.host, settings.port, settings.user, settings.password, settings.database) == (
        "db.example",
        3307,
        "alice",
        "s3cret",
        "shop",
    )


def test_url_defaults_port_user_password_and_database():
    settings = ConnectionSettings.from_url("mysql://127.0.0.1")
    assert (settings.port, settings.user, settings.password, settings.database) == (
        3306,
        "root",
        "",
        "test",
    )


@pytest.mark.parametrize("scheme", ["mysql", "mysql+pymysql", "mariadb"])
def test_url_accepts_the_mysql_schemes(scheme):
    assert ConnectionSettings.from_url(f"{scheme}://root@h/db").host == "h"


def test_url_decodes_percent_escapes_and_url_round_trips():
    settings = ConnectionSettings.from_url("mysql://us%40er:p%3Ass%2Fw@h:3306/db")
    assert (settings.user, settings.password) == ("us@er", "p:ss/w")
    assert ConnectionSettings.from_url(settings.url()) == settings


def test_url_omits_an_empty_password():
    assert ConnectionSettings(user="root").url() == "mysql+pymysql://root@127.0.0.1:3306/test"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgres://root@h/db", "not a MySQL URL"),
        ("mysql:///db", "not a MySQL URL"),
        ("127.0.0.1:3306", "not a MySQL URL"),
        ("mysql://root@h:notaport/db", "bad port"),
        ("mysql://root@h:99999/db", "bad port"),
    ],
)
def test_bad_url_is_a_usage_error_quoting_it(url, message):
    with pytest.raises(UsageError, match=message) as bad:
        ConnectionSettings.from_url(url)
    assert repr(url) in str(bad.value)


def test_pymysql_kwargs_disable_tls():
    assert ConnectionSettings().pymysql_kwargs()["ssl_disabled"] is True


def test_pymysql_kwargs_pass_only_the_timeouts_that_are_set():
    kwargs = ConnectionSettings(read_timeout=2.5).pymysql_kwargs()
    assert kwargs["read_timeout"] == 2.5
    assert "connect_timeout" not in kwargs
    assert "write_timeout" not in kwargs


def test_pymysql_kwargs_overrides_win():
    kwargs = ConnectionSettings(read_timeout=2.5).pymysql_kwargs(read_timeout=1, autocommit=True)
    assert kwargs["read_timeout"] == 1
    assert kwargs["autocommit"] is True


def test_unix_socket_is_passed_only_when_set():
    assert "unix_socket" not in ConnectionSettings().pymysql_kwargs()
    assert ConnectionSettings(unix_socket="/s").pymysql_kwargs()["unix_socket"] == "/s"


def test_with_timeouts_replaces_all_three():
    settings = ConnectionSettings(read_timeout=9).with_timeouts(1, None, 3)
    assert (settings.connect_timeout, settings.read_timeout, settings.write_timeout) == (1, None, 3)
    assert settings.to_dict()["write_timeout"] == 3
