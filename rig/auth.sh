# shellcheck shell=bash
# Sourced by rig.sh: the auth39 rig (issue 11), for kraftcheck's enterprise logins.
#
#   auth39   ZooKeeper 3.8.4 + one ZooKeeper-mode broker (Kafka 3.9.2), seeded like zk39, with the
#            client stores Java shops use, made with the JDK's keytool (rig/run/auth39/stores):
#              truststore.jks, truststore.p12 (Java 17 default: PBES2/AES-256, HmacPBESHA256 MAC),
#              truststore-legacy.p12 (-Dkeystore.pkcs12.legacy: RC2/3DES, SHA-1 MAC),
#              client.jks (key password differs from the store password), client.p12 and
#              client-legacy.p12 (keytool -importkeystore), client-keypass.p12 (key password differs
#              from the store password; Java's KeyStore API, as keytool cannot), and a PEM bundle
#              whose PKCS#8 key is encrypted (openssl pkcs8 -topk8 -v2 aes-256-cbc).
#
# Ports (127.0.0.1): ZooKeeper 19581; broker 1: 19511 PLAINTEXT, 19512 SASL_PLAINTEXT (SCRAM),
# 19513 SSL with client certificates required (mTLS), 19514 SSL without client certificates (TLS),
# 19515 SASL_PLAINTEXT OAUTHBEARER validated against the JWKS of the OAuth server on 19590
# (mock-oauth2-server from Maven Central, rig/pom-oauth.xml), 19516 SSL whose certificate names
# another host (elsewhere.invalid).

AUTH_TLS_PORT=19514
AUTH_OAUTH_PORT=19515
AUTH_WRONGNAME_PORT=19516
AUTH_OAUTH_SERVER_PORT=19590
AUTH_ISSUER=http://127.0.0.1:$AUTH_OAUTH_SERVER_PORT/default
AUTH_STORE_PW=Store-Pass-4q
AUTH_KEY_PW=Key-Pass-7z
# the OAuth client (mock-oauth2-server issues a token to any client; the broker checks the JWT)
AUTH_CLIENT_ID=kraftcheck-client
AUTH_CLIENT_SECRET=Client-Secret-5x


auth39_listeners() {
  echo "PLAINTEXT://127.0.0.1:$(broker_port auth39 1 plain),SASL_PLAINTEXT://127.0.0.1:$(broker_port auth39 1 sasl),SSL://127.0.0.1:$(broker_port auth39 1 ssl),TLS://127.0.0.1:$AUTH_TLS_PORT,OAUTH://127.0.0.1:$AUTH_OAUTH_PORT,WRONGNAME://127.0.0.1:$AUTH_WRONGNAME_PORT"
}

write_auth39_configs() {
  local rig=auth39 rd
  rd=$(rundir $rig)
  write_zookeeper_config $rig
  write_log_config $rig zookeeper
  {
    cat <<EOF2
broker.id=1
broker.rack=rack-1
listeners=$(auth39_listeners)
advertised.listeners=$(auth39_listeners)
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,TLS:SSL,OAUTH:SASL_PLAINTEXT,WRONGNAME:SSL
inter.broker.listener.name=PLAINTEXT
zookeeper.connect=127.0.0.1:$(zk_port $rig)
zookeeper.connection.timeout.ms=18000
zookeeper.session.timeout.ms=18000
log.dirs=$rd/broker1/data
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=5
controlled.shutdown.max.retries=1
controlled.shutdown.retry.backoff.ms=1000
authorizer.class.name=kafka.security.authorizer.AclAuthorizer
EOF2
    common_broker_props $rig
    cat <<EOF2
# one-way TLS: the principal is ANONYMOUS (a super user, as on PLAINTEXT)
listener.name.tls.ssl.client.auth=none
# one-way TLS with a certificate for another host name (ssl.endpoint.identification.algorithm)
listener.name.wrongname.ssl.client.auth=none
listener.name.wrongname.ssl.keystore.type=PKCS12
listener.name.wrongname.ssl.keystore.location=$rd/certs/wrongname.p12
listener.name.wrongname.ssl.keystore.password=$PW
listener.name.wrongname.ssl.key.password=$PW
# OAUTHBEARER with JWTs from the rig's OAuth server, checked against its JWKS (KIP-768)
listener.name.oauth.sasl.enabled.mechanisms=OAUTHBEARER
listener.name.oauth.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;
listener.name.oauth.oauthbearer.sasl.server.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler
sasl.oauthbearer.jwks.endpoint.url=$AUTH_ISSUER/jwks
sasl.oauthbearer.expected.issuer=$AUTH_ISSUER
sasl.oauthbearer.expected.audience=kafka
# the OAuth client is a super user as well (later keys override earlier ones)
super.users=User:ANONYMOUS;User:admin;User:CN=kraftcheck-admin;User:$AUTH_CLIENT_ID
EOF2
  } >"$rd/conf/broker1.properties"
  write_log_config $rig broker1
}

start_auth39_nodes() { # called by up_unlocked
  local rig=auth39 rd
  rd=$(rundir $rig)
  write_auth39_configs
  # the WRONGNAME listener's certificate: signed by the rig CA, for a host that is not 127.0.0.1
  (
    cd "$rd/certs"
    openssl req -newkey rsa:2048 -nodes -keyout wrongname-key.pem -out wrongname.csr -subj /CN=elsewhere.invalid 2>/dev/null &&
      printf 'subjectAltName=DNS:elsewhere.invalid\n' >wrongname.ext &&
      openssl x509 -req -in wrongname.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out wrongname-cert.pem -days 30 \
        -extfile wrongname.ext 2>/dev/null &&
      openssl pkcs12 -export -in wrongname-cert.pem -inkey wrongname-key.pem -name wrongname -out wrongname.p12 -passout "pass:$PW" &&
      rm -f wrongname.csr wrongname.ext ca.srl
  ) || die "auth39: the WRONGNAME certificate could not be made"
  with_lock "$CACHE/build.lock" build_extra_unlocked oauth mock-oauth2-server
  : >"$rd/conf/oauth.log.properties"
  SERVER_HOSTNAME=127.0.0.1 SERVER_PORT=$AUTH_OAUTH_SERVER_PORT START_CP=$(cat "$(extra_cp_file oauth)") \
    start_java $rig oauth 96m no.nav.security.mock.oauth2.StandaloneMockOAuth2ServerKt >/dev/null
  local end=$((SECONDS + 90))
  until curl -sf "$AUTH_ISSUER/.well-known/openid-configuration" >/dev/null 2>&1; do
    pid_alive "$(pid_of $rig oauth)" $rig || fail_start $rig oauth "the OAuth server exited during start-up"
    ((SECONDS < end)) || fail_start $rig oauth "the OAuth server is not answering after 90 s"
    sleep 0.3
  done
  start_java $rig zookeeper "$ZK_HEAP" org.apache.zookeeper.server.quorum.QuorumPeerMain "$rd/conf/zookeeper.properties" >/dev/null
  wait_zk $rig 60
  start_java $rig broker1 "$BROKER_HEAP" kafka.Kafka "$rd/conf/broker1.properties" >/dev/null
  wait_log $rig broker1 "\[KafkaServer id=1\] started" "$TIMEOUT"
}

# the client stores, made with keytool (and openssl only to sign with the rig's CA)
make_auth39_stores() {
  local rd s c kt
  rd=$(rundir auth39)
  s=$rd/stores
  c=$rd/certs
  mkdir -p "$s"
  kt() { keytool -noprompt "$@" >>"$rd/logs/keytool.out" 2>&1 || { tail -n 20 "$rd/logs/keytool.out" >&2; die "auth39: keytool $1 failed"; }; }
  (
    cd "$s"
    kt -importcert -alias rig-ca -file "$c/ca.pem" -keystore truststore.jks -storetype JKS -storepass "$AUTH_STORE_PW"
    kt -importcert -alias rig-ca -file "$c/ca.pem" -keystore truststore.p12 -storetype PKCS12 -storepass "$AUTH_STORE_PW"
    kt -J-Dkeystore.pkcs12.legacy -importcert -alias rig-ca -file "$c/ca.pem" -keystore truststore-legacy.p12 \
      -storetype PKCS12 -storepass "$AUTH_STORE_PW"
    # client key pair in JKS, its own key password; signed by the rig CA as CN=kraftcheck-admin (a super user)
    kt -genkeypair -alias kraftcheck-admin -keyalg RSA -keysize 2048 -dname CN=kraftcheck-admin -validity 30 \
      -keystore client.jks -storetype JKS -storepass "$AUTH_STORE_PW" -keypass "$AUTH_KEY_PW"
    kt -certreq -alias kraftcheck-admin -keystore client.jks -storepass "$AUTH_STORE_PW" -keypass "$AUTH_KEY_PW" -file client.csr
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl x509 -req -in client.csr -CA "$c/ca.pem" -CAkey "$c/ca.key" -CAcreateserial -out client-signed.pem -days 30 \
      -extfile client.ext 2>/dev/null || die "auth39: signing the client certificate failed"
    kt -importcert -alias rig-ca -file "$c/ca.pem" -keystore client.jks -storepass "$AUTH_STORE_PW"
    kt -importcert -alias kraftcheck-admin -file client-signed.pem -keystore client.jks -storepass "$AUTH_STORE_PW" -keypass "$AUTH_KEY_PW"
    kt -importkeystore -srckeystore client.jks -srcstorepass "$AUTH_STORE_PW" -srcalias kraftcheck-admin -srckeypass "$AUTH_KEY_PW" \
      -destkeystore client.p12 -deststoretype PKCS12 -deststorepass "$AUTH_STORE_PW"
    kt -J-Dkeystore.pkcs12.legacy -importkeystore -srckeystore client.jks -srcstorepass "$AUTH_STORE_PW" -srcalias kraftcheck-admin \
      -srckeypass "$AUTH_KEY_PW" -destkeystore client-legacy.p12 -deststoretype PKCS12 -deststorepass "$AUTH_STORE_PW"
    "$JAVA" -Xmx128m $JVM_OPTS -cp "$(classpath 39)" "$RIG_DIR/auth/AuthRig.java" p12 client.jks "$AUTH_STORE_PW" "$AUTH_KEY_PW" \
      kraftcheck-admin client-keypass.p12 "$AUTH_STORE_PW" "$AUTH_KEY_PW" >>"$rd/logs/keytool.out" 2>&1 9>&- ||
      { tail -n 20 "$rd/logs/keytool.out" >&2; die "auth39: AuthRig p12 failed"; }
    # PEM: the client key as encrypted PKCS#8, with its certificate. PBE-SHA1-3DES is what Kafka's
    # Java client can read (Java 17 has no PBES2 SecretKeyFactory for EncryptedPrivateKeyInfo);
    # PBES2/AES-256 (openssl's default) only kraftcheck and librdkafka read.
    openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -in "$c/client-key.pem" -passout "pass:$AUTH_KEY_PW" -out client-key-enc.pem 2>/dev/null ||
      die "auth39: openssl pkcs8 failed"
    cat client-key-enc.pem "$c/client-cert.pem" >client-enc-bundle.pem
    openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$c/client-key.pem" -passout "pass:$AUTH_KEY_PW" -out client-key-pbes2.pem 2>/dev/null ||
      die "auth39: openssl pkcs8 failed"
    cat client-key-pbes2.pem "$c/client-cert.pem" >client-pbes2-bundle.pem
    rm -f client.csr client.ext client-signed.pem "$c/ca.srl"
  )
  local t=$s/truststore
  w() { # NAME LINES...: a client config in the run dir
    local f=$rd/client-$1.properties; shift
    printf '%s\n' "$@" >"$f"
  }
  w tls-jks security.protocol=SSL ssl.truststore.location="$t.jks" ssl.truststore.password="$AUTH_STORE_PW"
  w tls-p12 security.protocol=SSL ssl.truststore.type=PKCS12 ssl.truststore.location="$t.p12" ssl.truststore.password="$AUTH_STORE_PW"
  w tls-p12-legacy security.protocol=SSL ssl.truststore.type=PKCS12 ssl.truststore.location="$t-legacy.p12" \
    ssl.truststore.password="$AUTH_STORE_PW"
  w mtls-jks security.protocol=SSL ssl.truststore.location="$t.jks" ssl.truststore.password="$AUTH_STORE_PW" \
    ssl.keystore.location="$s/client.jks" ssl.keystore.password="$AUTH_STORE_PW" ssl.key.password="$AUTH_KEY_PW"
  w mtls-p12 security.protocol=SSL ssl.truststore.type=PKCS12 ssl.truststore.location="$t.p12" ssl.truststore.password="$AUTH_STORE_PW" \
    ssl.keystore.type=PKCS12 ssl.keystore.location="$s/client.p12" ssl.keystore.password="$AUTH_STORE_PW"
  w mtls-p12-legacy security.protocol=SSL ssl.truststore.type=PKCS12 ssl.truststore.location="$t-legacy.p12" \
    ssl.truststore.password="$AUTH_STORE_PW" ssl.keystore.type=PKCS12 ssl.keystore.location="$s/client-legacy.p12" \
    ssl.keystore.password="$AUTH_STORE_PW"
  w mtls-p12-keypass security.protocol=SSL ssl.truststore.type=PKCS12 ssl.truststore.location="$t.p12" \
    ssl.truststore.password="$AUTH_STORE_PW" ssl.keystore.type=PKCS12 ssl.keystore.location="$s/client-keypass.p12" \
    ssl.keystore.password="$AUTH_STORE_PW" ssl.key.password="$AUTH_KEY_PW"
  w mtls-pem-encrypted security.protocol=SSL ssl.truststore.type=PEM ssl.truststore.location="$c/ca.pem" \
    ssl.keystore.type=PEM ssl.keystore.location="$s/client-enc-bundle.pem" ssl.key.password="$AUTH_KEY_PW"
  w oauth security.protocol=SASL_PLAINTEXT sasl.mechanism=OAUTHBEARER \
    sasl.oauthbearer.token.endpoint.url="$AUTH_ISSUER/token" \
    sasl.login.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler \
    "sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId=\"$AUTH_CLIENT_ID\" clientSecret=\"$AUTH_CLIENT_SECRET\" scope=\"kafka\";"
  w mtls-pem-pbes2 security.protocol=SSL ssl.truststore.type=PEM ssl.truststore.location="$c/ca.pem" \
    ssl.keystore.type=PEM ssl.keystore.location="$s/client-pbes2-bundle.pem" ssl.key.password="$AUTH_KEY_PW"
}

# Kafka's Java client must accept every store config too (the stores are valid, not just readable by kraftcheck)
check_auth39_logins() {
  local rd tls mtls args=() n
  rd=$(rundir auth39)
  tls=127.0.0.1:$AUTH_TLS_PORT
  mtls=127.0.0.1:$(broker_port auth39 1 ssl)
  for n in tls-jks tls-p12 tls-p12-legacy; do args+=("$tls" "$rd/client-$n.properties"); done
  for n in mtls-jks mtls-p12 mtls-p12-legacy mtls-p12-keypass mtls-pem-encrypted; do args+=("$mtls" "$rd/client-$n.properties"); done
  args+=("127.0.0.1:$AUTH_OAUTH_PORT" "$rd/client-oauth.properties")
  (cd "$rd" && "$JAVA" -Xmx192m $JVM_OPTS "$(tools_log_opts 39)" -cp "$(classpath 39)" "$RIG_DIR/auth/AuthRig.java" check "${args[@]}" \
    >>"$rd/logs/rig-admin.out" 2>&1 9>&-) || fail_start auth39 rig-admin "Kafka's Java client could not log in with a client store config"
}

auth39_env() { # ENV_PREFIX (inside write_env)
  local U=$1 rd n
  rd=$(rundir auth39)
  echo "export ${U}_MODE=zookeeper"
  echo "export ${U}_ZK_CONNECT=127.0.0.1:$(zk_port auth39)"
  echo "export ${U}_BROKER_IDS=1"
  echo "export ${U}_TLS_BOOTSTRAP=127.0.0.1:$AUTH_TLS_PORT"
  echo "export ${U}_OAUTH_BOOTSTRAP=127.0.0.1:$AUTH_OAUTH_PORT"
  echo "export ${U}_WRONGNAME_BOOTSTRAP=127.0.0.1:$AUTH_WRONGNAME_PORT"
  echo "export ${U}_OAUTH_TOKEN_URL=$AUTH_ISSUER/token"
  echo "export ${U}_STORES_DIR=$rd/stores"
  for n in tls-jks tls-p12 tls-p12-legacy mtls-jks mtls-p12 mtls-p12-legacy mtls-p12-keypass mtls-pem-encrypted mtls-pem-pbes2 oauth; do
    echo "export ${U}_$(upper "${n//-/_}")_CONFIG=$rd/client-$n.properties"
  done
}
