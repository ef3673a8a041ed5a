<?php
$sendgrid = new \SendGrid('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');
