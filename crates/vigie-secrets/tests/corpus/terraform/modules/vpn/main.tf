resource "aws_vpn_connection" "office" {
  vpn_gateway_id        = aws_vpn_gateway.main.id
  customer_gateway_id   = aws_customer_gateway.office.id
  type                  = "ipsec.1"
  tunnel1_preshared_key = "oX4vlnyRky6c2VJQnrlqrzS7AMW5uGrk"
}
