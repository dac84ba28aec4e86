# Build step: install the server if the base has none, then make the datadir once, at build time,
# so that a container starts in about a second.
set -eu
DATADIR=/var/lib/mysql-chaos
SHARE=/usr/local/share/mysql-chaos

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }

if ! have mariadbd && ! have mysqld; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mariadb-server
    rm -rf /var/lib/apt/lists/*
fi
if ! id mysql >/dev/null 2>&1; then
    # A root filesystem with the server alone (Debian's mysql-server-core, no maintainer scripts
    # of mysql-server) has no account for it, and no useradd: a system account of its own.
    echo "mysql:x:999:999:MySQL Server:/nonexistent:/usr/sbin/nologin" >>/etc/passwd
    echo "mysql:x:999:" >>/etc/group
fi
rm -rf "$DATADIR"
mkdir -p "$DATADIR" /run/mysqld
chown mysql:mysql "$DATADIR" /run/mysqld

if have mariadb-install-db; then
    # The root account answers only on the Unix socket (unix_socket authentication).
    mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db \
        --auth-root-authentication-method=socket >/dev/null
    server=$(command -v mariadbd || echo /usr/sbin/mariadbd)
    "$server" --bootstrap --user=mysql --datadir="$DATADIR" --skip-log-bin \
        --innodb-log-file-size=4M <"$SHARE/init.sql"
else
    # MySQL: root@localhost with an empty password, reachable only through the socket: the
    # server runs with --skip-name-resolve, so no TCP client is ever 'localhost'.
    server=$(command -v mysqld || echo /usr/sbin/mysqld)
    "$server" --initialize-insecure --user=mysql --datadir="$DATADIR" \
        --init-file="$SHARE/init.sql" --secure-file-priv=NULL --skip-log-bin \
        --innodb-redo-log-capacity=8M
fi
