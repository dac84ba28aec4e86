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
    # MySQL: root@localhost with an empty password, reachable only through the socket (below).
    mysqld --initialize-insecure --user=mysql --datadir="$DATADIR" --init-file="$SHARE/init.sql"
fi
