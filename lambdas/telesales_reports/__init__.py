"""telesales-reports: dbt report marts on PostgreSQL served by AWS Lambda."""

__version__ = "0.1.0"
