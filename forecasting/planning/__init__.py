"""Planning inputs the engine learns from: the event calendar (promotions,
holidays and shopping festivals) and the manager-approved cleaning of outliers."""
