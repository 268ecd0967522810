"""Developer tools: the `telesales-reports` CLI, the data generator, the benchmark, the local API and the
embedded PostgreSQL. None of it is in the Lambda artifact."""
