"""Gettext catalogues (zh_CN first, en), compiled by Babel."""
