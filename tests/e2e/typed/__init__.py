"""The typed conversation suite (issue 13): conversations.yml and the runner that plays
them against running servers, shared by tests/e2e/test_typed_conversations.py and
bench/containment.py."""
