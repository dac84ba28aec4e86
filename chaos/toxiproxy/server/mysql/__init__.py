"""The MySQL client/server protocol as the proxy follows it on links with a protocol toxic."""
