"""Domain layer: taxonomy, cities, the Form record and its schema, the 指标值 grammar. No Excel library."""
