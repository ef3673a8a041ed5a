const crypto = require('crypto');
// RFC 4231 test case 1 key, used by the unit tests of the HMAC helper.
const HMAC_TEST_VECTOR = '0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b';
function hmac(key, data) {
  return crypto.createHmac('sha256', key).update(data).digest('hex');
}
module.exports = { hmac, HMAC_TEST_VECTOR };
