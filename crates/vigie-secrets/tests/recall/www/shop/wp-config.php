<?php
/**
 * The base configuration for WordPress
 *
 * @package WordPress
 */

// ** Database settings - You can get this info from your web host ** //
/** The name of the database for WordPress */
define( 'DB_NAME', 'wordpress' );

/** Database username */
define( 'DB_USER', 'wp_user' );

/** Database password */
define( 'DB_PASSWORD', 'Harbor1761!' );

/** Database hostname */
define( 'DB_HOST', 'localhost' );

/** Database charset to use in creating database tables. */
define( 'DB_CHARSET', 'utf8mb4' );

/** The database collate type. Don't change this if in doubt. */
define( 'DB_COLLATE', '' );

/**#@+
 * Authentication unique keys and salts.
 */
define( 'AUTH_KEY',         'DaH)SiQYjRMP]<[3)hAwe>V9&vX}*pc>?go{q*DK(bsK)*u[V$YZeH2&hTKMNE3>' );
define( 'SECURE_AUTH_KEY',  '1:R#]?dP8A|ebVquA)Fx3E_[6{b4<={>mE{[ZRF!E.fDA,87@JtJB6XN#LPRD0~7' );
define( 'LOGGED_IN_KEY',    '*F=9@Vn}7CBICJtAwbA#onra*mBbO7]f)%~%&DPuENK]m{U4qUbEmBB03[]~jby=' );
define( 'NONCE_KEY',        '0mV&;8CLok1|8l^QuG)--];uB._J0t;VUNHtww8=e?YMNN}9[QuAK[U_W;;S[sGb' );
define( 'AUTH_SALT',        'd~1V&TH0W}WTlVR#Qj%i}pg%!y]6SXuY5-LC%,Lrw+}UigbGIl/9Xq/b*{R%%VCs' );
define( 'SECURE_AUTH_SALT', '?i?NwHN+|&aQhSM87zqwyX[*.C~f[G]rb+2Ax}rCrUAK_=cX9WbOl,(bLH$keh^=' );
define( 'LOGGED_IN_SALT',   'bj>B(jy)o6wz#H&n&.(ly4O/hJ+1,cM_$pn9(~O?w0>QMgCmH2x8Q!!o>8=}gP&q' );
define( 'NONCE_SALT',       '!}b&riAux2a0p4cM;AcG$~-h&NT]TV}ZMa;/Nt<{plo6R6fL(e(VDqo>,1Rsy2{$' );

/**#@-*/

$table_prefix = 'wp_';

define( 'WP_DEBUG', false );

/* That's all, stop editing! Happy publishing. */

/** Absolute path to the WordPress directory. */
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}

require_once ABSPATH . 'wp-settings.php';
