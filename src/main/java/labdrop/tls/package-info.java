/** TLS key material: the server's HTTPS identity (PEM or PKCS#12) and the CAs an agent trusts. */
package labdrop.tls;
