"""ledger layer of soviets (see DESIGN.md section 2)."""
