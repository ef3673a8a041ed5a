<?php
class Shop_Api {
    private $api_key;

    public function __construct() {
        $this->api_key = get_option( 'shop_api_key' );
        $this->secret  = defined( 'SHOP_API_SECRET' ) ? SHOP_API_SECRET : '';
    }
}
