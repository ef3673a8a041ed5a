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
define( 'DB_PASSWORD', 'hunter2' );

/** Database hostname */
define( 'DB_HOST', 'localhost' );

/** Database charset to use in creating database tables. */
define( 'DB_CHARSET', 'utf8mb4' );

/** The database collate type. Don't change this if in doubt. */
define( 'DB_COLLATE', '' );

/**#@+
 * Authentication unique keys and salts.
 */
define( 'AUTH_KEY',         'c+G<V|Aj_HE2wad+r6zf0GSpJ{_!K2TX0(76c)*g=[.6$YB%Wn0:,*f245KN05Ja' );
define( 'SECURE_AUTH_KEY',  '4B3lBnTvkTbeW)vg/ZYai0b_#R;n}+,VQjzB0.2WjU(phRw9hUP@SIbR06H9Fni,' );
define( 'LOGGED_IN_KEY',    'QLr@AzNxlX(1*6bX#BOTpM.38A|z{aM%c(bC$h%Y}5$.pVI;nM8?4RjF-gul=KiU' );
define( 'NONCE_KEY',        'F%4PAbN;)Cz&$c;m9iU6I~gzKw|N1lacm<.efKnw{5;U$*E#6tM}]sKoaQ4AlLjL' );
define( 'AUTH_SALT',        ']Vy4#!Wu=_HX6Wxxr1fekm1c[Y7/K~?/j3ia4@)6to7-<12i+/^i,DZS7WHeUo{A' );
define( 'SECURE_AUTH_SALT', ',k_^G33eh^1D8fNw*l86)@5NfxhGBKHIWcuDP&9T+0JWc*y()rr8ge?*ny0v(obg' );
define( 'LOGGED_IN_SALT',   'N}5.Yqt}zfB4l4M$.a.@CS1^+Nb@/%mE9R#5jOl>6aE2hPKG3:;s/IRKuARQu^gw' );
define( 'NONCE_SALT',       'ExZ$5K$M)*ApN59$|oV1o3H[A]xs,#h.p?~w]8Hngq)mbBW8Mqj;;T%cJi#Op}r/' );

/**#@-*/

$table_prefix = 'wp_';

define( 'WP_DEBUG', false );

/* That's all, stop editing! Happy publishing. */

/** Absolute path to the WordPress directory. */
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}

require_once ABSPATH . 'wp-settings.php';
