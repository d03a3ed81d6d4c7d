"""What proves the quán triệt step was done: assignments, comprehension checks, the hash-chained
acknowledgement ledger, completion reports and the evidence exports."""
