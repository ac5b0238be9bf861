"""The rules of the domain, as plain async functions over an AsyncSession."""
