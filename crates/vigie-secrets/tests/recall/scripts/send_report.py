import smtplib
from email.message import EmailMessage

SMTP_USER = "reports@example.org"
SMTP_APP_PASSWORD = "aegr ntqt xeoh stut"


def send(body):
    msg = EmailMessage()
    msg["Subject"] = "Weekly report"
    msg["From"] = SMTP_USER
    msg["To"] = "team@example.org"
    msg.set_content(body)
    with smtplib.SMTP_SSL("smtp.gmail.com", 465) as s:
        s.login(SMTP_USER, SMTP_APP_PASSWORD)
        s.send_message(msg)
