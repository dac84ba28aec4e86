# Run the server in the foreground as PID 1, so that a SIGKILL to the container kills it outright.
# MYSQL_CHAOS_PORT: the TCP port on 127.0.0.1 (host network or a namespace the suite made).
# /run/mysqld is the owner's private directory, bind-mounted: the admin session's Unix socket.
set -eu
: "${MYSQL_CHAOS_PORT:?MYSQL_CHAOS_PORT is not set}"
chown mysql:mysql /run/mysqld
if server=$(command -v mariadbd) || { [ -x /usr/sbin/mariadbd ] && server=/usr/sbin/mariadbd; }; then
    set -- --innodb-log-file-size=4M "$@"
else
    # Oracle MySQL: its redo log is sized otherwise, its X Protocol listener (a port of its own
    # on the host's network) is off, and no directory is open to LOAD DATA / SELECT ... INTO.
    server=$(command -v mysqld || echo /usr/sbin/mysqld)
    set -- --innodb-redo-log-capacity=8M --mysqlx=OFF --secure-file-priv=NULL "$@"
fi
exec "$server" --user=mysql --datadir=/var/lib/mysql-chaos \
    --socket=/run/mysqld/mysqld.sock --pid-file=/run/mysqld/mysqld.pid \
    --port="$MYSQL_CHAOS_PORT" --bind-address=127.0.0.1 --skip-name-resolve --skip-log-bin \
    --performance-schema=OFF --innodb-buffer-pool-size=16M --innodb-use-native-aio=0 \
    --innodb-flush-log-at-trx-commit=2 --max-connections=200 "$@"
