"""Analytics owns no tables: every figure is computed from attempts and answers by its selectors."""
