"""soviets: plan production for human needs with the least working time,
and run the councils that decide and carry out the plan."""

__version__ = "0.1.0"
