"""gunicorn's settings for production: `gunicorn -c config/gunicorn.py config.wsgi`.

Measured on the 2-core machine (bench/api_load.py, which starts gunicorn with
these unless told otherwise; docs/decisions/catalogue-scale.md, "Shop API"):
two worker processes of four threads each held both the stock feed's reads
and a hot SKU's order writes best. A process per core keeps the GIL's
contention to four threads, and a hot SKU's orders, which queue on one stock
row's lock, need the lock holder back on a core at once; threads hide the
database round trips. More cores: one worker per core, same threads.

Each thread holds one database connection (CONN_MAX_AGE): workers x threads
per machine (docs/deployment.md, "Database connections"). Options on the
command line (`-w 4`) override these.
"""

worker_class = "gthread"
workers = 2
threads = 4
keepalive = 30
