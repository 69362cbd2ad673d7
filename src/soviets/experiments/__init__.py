"""experiments layer of soviets (see docs/architecture.md)."""
