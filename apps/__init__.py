"""The clients under test: reconnect strategies and the seed's Flask app."""
