<?php

return [
    'name' => env('APP_NAME', 'Laravel'),
    'env' => env('APP_ENV', 'production'),
    'key' => env('APP_KEY', 'base64:Q+hL4Sw5CeEyvL2TINqUMOwEDcxeJICJSU2s5+y751c='),
    'cipher' => 'AES-256-CBC',
];
