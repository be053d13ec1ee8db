"""Backchannel: a private back channel for negotiation teams."""
