FROM python:3.11-slim

# DEBUG off is also the settings' own default; said here so nobody wonders.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DATA_DIR=/data DEBUG=false
# WeasyPrint needs Pango for PDF reports.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The image runs exactly the versions CI tested: the production lock, hashes checked, then the project without resolving.
COPY pyproject.toml requirements.lock ./
COPY quizsite quizsite
COPY accounts accounts
COPY classrooms classrooms
COPY quizzes quizzes
COPY attempts attempts
COPY grading grading
COPY analytics analytics
COPY demo demo
RUN pip install --require-hashes -r requirements.lock && pip install --no-deps .
COPY . .
# collectstatic needs a SECRET_KEY only to import settings; the real one comes from the environment at run time.
RUN DEBUG=false SECRET_KEY=collectstatic-only-not-a-real-secret-key-0123456789abcdef ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

RUN useradd --create-home quiz && mkdir -p /data && chown quiz /data
USER quiz
EXPOSE 8000
# HTTP; docker-compose.yml runs the same image as the WebSocket server, Celery worker and beat.
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "8", \
     "quizsite.wsgi:application"]
