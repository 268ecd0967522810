"""The warehouse build: the raw/ops bootstrap SQL and the dbt runner (the scheduled ECS task; never in the Lambda)."""
