"""gunicorn reads this file from the working directory (the image's /app) on its own.

Issue 7: no NIK or KK in the web server's access log. Searches are GET forms (bookmarkable,
htmx, paginated), so a typed NIK is in the query string: the access log records the path
without it (%(U)s, not the request line %(r)s), and no Referer (which carries the previous
page's query string)."""

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(L)ss'
