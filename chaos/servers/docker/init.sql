-- Least privilege: no root over TCP, no anonymous accounts; clients use `app`, locked here and
-- unlocked by the suite with a password made for each container.
FLUSH PRIVILEGES;
DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1', 'root'@'%', ''@'localhost', ''@'%';
-- The packages' socket account for the OS user mysql: its uid inside the container belongs to
-- some other account on the host, which could reach the socket directory (given to that uid).
DROP USER IF EXISTS 'mysql'@'localhost';
CREATE DATABASE IF NOT EXISTS test;
CREATE USER 'app'@'%' ACCOUNT LOCK;
GRANT ALL PRIVILEGES ON test.* TO 'app'@'%';
FLUSH PRIVILEGES;
