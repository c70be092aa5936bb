//! Keyed MACs under the instance secret, one per purpose (CSRF tokens, opt-out links, sealed
//! answering attempts, draft keys), so a tag made for one purpose never verifies for another.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// HMAC-SHA256 under `secret`, already fed the purpose label (e.g. `b"insikt-csrf:"`).
pub fn keyed(secret: &[u8], purpose: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(purpose);
    mac
}
