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
# Ports (127.0.0.1; the GSSAPI listeners, 19517 SASL_PLAINTEXT and 19518 SASL_SSL, advertise localhost,
# see the Kerberos part below): ZooKeeper 19581; broker 1: 19511 PLAINTEXT, 19512 SASL_PLAINTEXT (SCRAM),
# 19513 SSL with client certificates required (mTLS), 19514 SSL without client certificates (TLS),
# 19515 SASL_PLAINTEXT OAUTHBEARER validated against the JWKS of the OAuth server on 19590
# (mock-oauth2-server from Maven Central, rig/pom-oauth.xml), 19516 SSL whose certificate names
# another host (elsewhere.invalid); a second OAuth server over https on 19591 (token endpoint trust).

AUTH_TLS_PORT=19514
AUTH_OAUTH_PORT=19515
AUTH_WRONGNAME_PORT=19516
AUTH_ZK_TLS_PORT=19583
AUTH_ZK_SASL_USER=kraftcheck-zk
AUTH_ZK_SASL_PW=Zk-Digest-5v
AUTH_OAUTH_SERVER_PORT=19590
AUTH_ISSUER=http://127.0.0.1:$AUTH_OAUTH_SERVER_PORT/default
# a second OAuth server over https (the broker certificate of the rig CA), for the token endpoint's
# TLS trust (JAAS ssl.truststore.*, as Kafka's client); the broker does not trust its tokens
AUTH_OAUTH_HTTPS_PORT=19591
AUTH_HTTPS_ISSUER=https://127.0.0.1:$AUTH_OAUTH_HTTPS_PORT/default
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
  # ZooKeeper's TLS port (issue 12, --zk-tls-config-file): Netty, the rig CA's broker certificate,
  # client certificates required (the client stores of make_auth39_stores are signed by that CA)
  cat >>"$rd/conf/zookeeper.properties" <<EOF2
secureClientPort=$AUTH_ZK_TLS_PORT
secureClientPortAddress=127.0.0.1
serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory
ssl.keyStore.location=$rd/certs/broker.p12
ssl.keyStore.password=$PW
ssl.keyStore.type=PKCS12
ssl.trustStore.location=$rd/certs/truststore.p12
ssl.trustStore.password=$PW
ssl.trustStore.type=PKCS12
ssl.clientAuth=need
authProvider.sasl=org.apache.zookeeper.server.auth.SASLAuthenticationProvider
EOF2
  # ZooKeeper SASL (DIGEST-MD5, --zk-jaas-config): the server's users; clients without SASL are
  # still let in (the broker), as ZooKeeper does unless told otherwise
  cat >"$rd/conf/zookeeper-jaas.conf" <<EOF2
Server {
  org.apache.zookeeper.server.auth.DigestLoginModule required
  user_$AUTH_ZK_SASL_USER="$AUTH_ZK_SASL_PW";
};
EOF2
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
# the OAuth client and the Kerberos client are super users as well (later keys override earlier ones)
super.users=User:ANONYMOUS;User:admin;User:CN=kraftcheck-admin;User:$AUTH_CLIENT_ID;User:$KRB_CLIENT
EOF2
    gssapi_broker_props $rig $AUTH_GSSAPI_PORT $AUTH_GSSAPI_SSL_PORT "$(auth39_listeners)" "$(auth39_listeners)" \
      PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,TLS:SSL,OAUTH:SASL_PLAINTEXT,WRONGNAME:SSL
  } >"$rd/conf/broker1.properties"
  write_log_config $rig broker1
}

start_auth39_nodes() { # called by up_unlocked
  local rig=auth39 rd
  rd=$(rundir $rig)
  # the GSSAPI listeners need the KDC (before the broker's JVM options are made)
  kdc_is_up || locked kdc kdc_up_unlocked
  write_auth39_configs
  write_gssapi_client_configs $rig
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
  : >"$rd/conf/oauth-https.log.properties"
  SERVER_HOSTNAME=127.0.0.1 SERVER_PORT=$AUTH_OAUTH_HTTPS_PORT START_CP=$(cat "$(extra_cp_file oauth)") \
    JSON_CONFIG="{\"httpServer\":{\"type\":\"NettyWrapper\",\"ssl\":{\"keyPassword\":\"$PW\",\"keystoreFile\":\"$rd/certs/broker.p12\",\"keystoreType\":\"PKCS12\",\"keystorePassword\":\"$PW\"}}}" \
    start_java $rig oauth-https 96m no.nav.security.mock.oauth2.StandaloneMockOAuth2ServerKt >/dev/null
  local end=$((SECONDS + 90))
  until curl -sf "$AUTH_ISSUER/.well-known/openid-configuration" >/dev/null 2>&1; do
    pid_alive "$(pid_of $rig oauth)" $rig || fail_start $rig oauth "the OAuth server exited during start-up"
    ((SECONDS < end)) || fail_start $rig oauth "the OAuth server is not answering after 90 s"
    sleep 0.3
  done
  until curl -sf --cacert "$rd/certs/ca.pem" "$AUTH_HTTPS_ISSUER/.well-known/openid-configuration" >/dev/null 2>&1; do
    pid_alive "$(pid_of $rig oauth-https)" $rig || fail_start $rig oauth-https "the https OAuth server exited during start-up"
    ((SECONDS < end)) || fail_start $rig oauth-https "the https OAuth server is not answering after 90 s"
    sleep 0.3
  done
  EXTRA_JVM_OPTS="-Djava.security.auth.login.config=$rd/conf/zookeeper-jaas.conf" \
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
  args+=("localhost:$AUTH_GSSAPI_PORT" "$rd/client-gssapi.properties" "localhost:$AUTH_GSSAPI_SSL_PORT" "$rd/client-gssapi-ssl.properties")
  (cd "$rd" && "$JAVA" -Xmx192m $JVM_OPTS $(krb_jvm_opt) "$(tools_log_opts 39)" -cp "$(classpath 39)" "$RIG_DIR/auth/AuthRig.java" check "${args[@]}" \
    >>"$rd/logs/rig-admin.out" 2>&1 9>&-) || fail_start auth39 rig-admin "Kafka's Java client could not log in with a client store config"
}

auth39_env() { # ENV_PREFIX (inside write_env)
  local U=$1 rd n
  rd=$(rundir auth39)
  echo "export ${U}_MODE=zookeeper"
  echo "export ${U}_ZK_CONNECT=127.0.0.1:$(zk_port auth39)"
  echo "export ${U}_ZK_TLS_CONNECT=127.0.0.1:$AUTH_ZK_TLS_PORT"
  echo "export ${U}_ZK_SASL_USER=$AUTH_ZK_SASL_USER"
  echo "export ${U}_ZK_SASL_PASSWORD=$AUTH_ZK_SASL_PW"
  echo "export ${U}_BROKER_IDS=1"
  echo "export ${U}_TLS_BOOTSTRAP=127.0.0.1:$AUTH_TLS_PORT"
  echo "export ${U}_OAUTH_BOOTSTRAP=127.0.0.1:$AUTH_OAUTH_PORT"
  echo "export ${U}_WRONGNAME_BOOTSTRAP=127.0.0.1:$AUTH_WRONGNAME_PORT"
  echo "export ${U}_OAUTH_TOKEN_URL=$AUTH_ISSUER/token"
  echo "export ${U}_OAUTH_HTTPS_TOKEN_URL=$AUTH_HTTPS_ISSUER/token"
  echo "export ${U}_STORES_DIR=$rd/stores"
  gssapi_env auth39 "$U"
  for n in tls-jks tls-p12 tls-p12-legacy mtls-jks mtls-p12 mtls-p12-legacy mtls-p12-keypass mtls-pem-encrypted mtls-pem-pbes2 oauth; do
    echo "export ${U}_$(upper "${n//-/_}")_CONFIG=$rd/client-$n.properties"
  done
}

# ------------------------------------------------------------------------------------------------
# Kerberos (issue 11): an MIT KDC from Debian's packages (krb5-kdc, krb5-admin-server for
# kadmin.local, krb5-user for kinit), on loopback, for the GSSAPI listeners of auth39 and kraft39.
#
#   rig/rig.sh up kdc     realm KRAFTCHECK.RIG, KDC on 127.0.0.1:19588 (UDP and TCP), in rig/run/kdc;
#                         the database is made with kdb5_util (stash file) and kadmin.local: no admin
#                         service runs. `up auth39` starts it when it is not up; kraft39 gets its
#                         GSSAPI listeners when the KDC is up before it starts (scripts/test-all: first).
#   rig/run/kdc/krb5.conf           for the brokers (-Djava.security.krb5.conf), kinit and kraftcheck (KRB5_CONFIG)
#   rig/run/kdc/broker.keytab       kafka/localhost@KRAFTCHECK.RIG: the GSSAPI listeners advertise host localhost;
#                                   kafka/127.0.0.1@…: kraft39's GSSAPI controller listener (registered with 127.0.0.1)
#   rig/run/kdc/client.keytab       kraftcheck@KRAFTCHECK.RIG (password $KRB_CLIENT_PW; a super user)
#   rig/run/kdc/rotated-old.keytab  rotated@…: its key before `cpw -randkey` (the KDC no longer accepts it)
#   rig/run/kdc/intruder.keytab     intruder@…: another principal's keys only
#
# GSSAPI listeners: auth39 19517 SASL_PLAINTEXT, 19518 SASL_SSL; kraft39 19314 SASL_PLAINTEXT, 19315 SASL_SSL,
# and the controller listener CONTROLLER_KRB 19316 (SASL_PLAINTEXT, for --bootstrap-controller).

KRB_REALM=KRAFTCHECK.RIG
KDC_PORT=19588
KRB_CLIENT=kraftcheck
KRB_CLIENT_PW=Krb-Pass-9w
AUTH_GSSAPI_PORT=19517
AUTH_GSSAPI_SSL_PORT=19518
KRAFT39_GSSAPI_PORT=19314
KRAFT39_GSSAPI_SSL_PORT=19315
KRAFT39_GSSAPI_CONTROLLER_PORT=19316

kdc_bin() { # NAME: the path of an MIT Kerberos program (krb5kdc, kdb5_util and kadmin.local are in /usr/sbin)
  command -v "$1" 2>/dev/null || { [ -x "/usr/sbin/$1" ] && echo "/usr/sbin/$1"; } ||
    die "kdc: $1 not found: install Debian's krb5-kdc, krb5-admin-server and krb5-user (scripts/test-all does)"
}
kdc_pid() { cat "$(rundir kdc)/krb5kdc.pid" 2>/dev/null || true; }
kdc_alive() { # PID: alive, and the KDC this rig started (its pid file is in the run dir)
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "-P $(rundir kdc)/krb5kdc.pid "
}
kdc_is_up() { [ "$(cat "$(rundir kdc)/state" 2>/dev/null)" = up ] && kdc_alive "$(kdc_pid)"; }

kdc_up_unlocked() {
  local rd t0=$SECONDS end kdc kdb kadmin
  rd=$(rundir kdc)
  if kdc_is_up; then say "kdc is already up"; return 0; fi
  kdc=$(kdc_bin krb5kdc) kdb=$(kdc_bin kdb5_util) kadmin=$(kdc_bin kadmin.local)
  kdc_bin kinit >/dev/null
  [ -d "$rd" ] && kdc_down_unlocked >/dev/null 2>&1
  port_open $KDC_PORT && die "kdc: port $KDC_PORT on 127.0.0.1 already in use"
  mkdir -p "$rd/logs"
  echo starting >"$rd/state"
  cat >"$rd/krb5.conf" <<EOF2
[libdefaults]
  default_realm = $KRB_REALM
  dns_lookup_realm = false
  dns_lookup_kdc = false
  dns_canonicalize_hostname = false
  rdns = false
  udp_preference_limit = 1
  ticket_lifetime = 1h
  forwardable = false
[realms]
  $KRB_REALM = {
    kdc = 127.0.0.1:$KDC_PORT
  }
[domain_realm]
  localhost = $KRB_REALM
EOF2
  cat >"$rd/kdc.conf" <<EOF2
[realms]
  $KRB_REALM = {
    database_name = $rd/principal
    key_stash_file = $rd/stash
    kdc_listen = 127.0.0.1:$KDC_PORT
    kdc_tcp_listen = 127.0.0.1:$KDC_PORT
    max_life = 1h
    max_renewable_life = 0
  }
[logging]
  kdc = FILE:$rd/logs/kdc.log
EOF2
  (
    export KRB5_CONFIG=$rd/krb5.conf KRB5_KDC_PROFILE=$rd/kdc.conf
    "$kdb" create -s -r "$KRB_REALM" -P "kdc-master-$RANDOM$RANDOM" >"$rd/logs/kdb5_util.out" 2>&1 9>&- ||
      { cat "$rd/logs/kdb5_util.out" >&2; exit 1; }
    "$kadmin" -r "$KRB_REALM" >"$rd/logs/kadmin.out" 2>&1 9>&- <<EOF2 || { cat "$rd/logs/kadmin.out" >&2; exit 1; }
addprinc -randkey kafka/localhost
ktadd -k $rd/broker.keytab kafka/localhost
addprinc -randkey kafka/127.0.0.1
ktadd -k $rd/broker.keytab kafka/127.0.0.1
addprinc -pw $KRB_CLIENT_PW $KRB_CLIENT
ktadd -norandkey -k $rd/client.keytab $KRB_CLIENT
addprinc -randkey rotated
ktadd -k $rd/rotated-old.keytab rotated
cpw -randkey rotated
addprinc -randkey intruder
ktadd -k $rd/intruder.keytab intruder
EOF2
    for k in broker client rotated-old intruder; do [ -s "$rd/$k.keytab" ] || { cat "$rd/logs/kadmin.out" >&2; exit 1; }; done
  ) || { echo failed >"$rd/state"; die "kdc: creating the realm failed"; }
  (cd "$rd" && KRB5_CONFIG=$rd/krb5.conf KRB5_KDC_PROFILE=$rd/kdc.conf exec "$kdc" -n -P "$rd/krb5kdc.pid" -r "$KRB_REALM" \
    </dev/null >"$rd/logs/krb5kdc.out" 2>&1 9>&-) &
  end=$((SECONDS + 20))
  until [ -s "$rd/krb5kdc.pid" ] && port_open $KDC_PORT; do
    kill -0 $! 2>/dev/null || { cat "$rd/logs/krb5kdc.out" "$rd/logs/kdc.log" >&2 2>/dev/null; echo failed >"$rd/state"; die "kdc: krb5kdc exited during start-up"; }
    ((SECONDS < end)) || { kill $! 2>/dev/null; echo failed >"$rd/state"; die "kdc: krb5kdc not listening after 20 s"; }
    sleep 0.1
  done
  # a real login with the client keytab, into a memory cache
  KRB5_CONFIG=$rd/krb5.conf KRB5CCNAME=MEMORY:rig "$(kdc_bin kinit)" -kt "$rd/client.keytab" "$KRB_CLIENT" >"$rd/logs/kinit.out" 2>&1 ||
    { cat "$rd/logs/kinit.out" >&2; kdc_down_unlocked; die "kdc: kinit with the client keytab failed"; }
  echo up >"$rd/state"
  local U=KRAFTCHECK_RIG_KDC
  {
    echo "export ${U}_KRB5_CONFIG=$rd/krb5.conf"
    echo "export ${U}_REALM=$KRB_REALM"
    echo "export ${U}_CLIENT_PRINCIPAL=$KRB_CLIENT@$KRB_REALM"
    echo "export ${U}_CLIENT_KEYTAB=$rd/client.keytab"
    echo "export ${U}_ROTATED_KEYTAB=$rd/rotated-old.keytab"
    echo "export ${U}_INTRUDER_KEYTAB=$rd/intruder.keytab"
  } >"$rd/env.sh"
  say "kdc is up in $((SECONDS - t0)) s (realm $KRB_REALM, 127.0.0.1:$KDC_PORT)"
}

kdc_down_unlocked() {
  local rd pid i
  rd=$(rundir kdc)
  [ -d "$rd" ] || { say "kdc is not up"; return 0; }
  pid=$(kdc_pid)
  if kdc_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kdc_alive "$pid" || break; sleep 0.1; done
    kdc_alive "$pid" && kill -KILL "$pid" 2>/dev/null
  fi
  if [ -n "${KRAFTCHECK_RIG_KEEP:-}" ]; then echo down >"$rd/state"; else rm -rf "$rd"; fi
  say "kdc stopped"
}

krb_jvm_opt() { # for brokers started while the KDC is up
  kdc_is_up && echo "-Djava.security.krb5.conf=$(rundir kdc)/krb5.conf"
  return 0
}

gssapi_listeners() { # BIND_HOST PORT SSL_PORT
  echo "GSSAPI://$1:$2,GSSAPI_SSL://$1:$3"
}

gssapi_broker_props() { # RIG PORT SSL_PORT BASE_LISTENERS BASE_ADVERTISED BASE_MAP: GSSAPI listeners (later keys override earlier ones)
  local k
  k=$(rundir kdc)
  cat <<EOF2
# Kerberos (GSSAPI) on SASL_PLAINTEXT and SASL_SSL; the listeners advertise localhost, the host of
# the service principal kafka/localhost@$KRB_REALM
listeners=$4,$(gssapi_listeners 127.0.0.1 "$2" "$3")
advertised.listeners=$5,$(gssapi_listeners localhost "$2" "$3")
listener.security.protocol.map=$6,GSSAPI:SASL_PLAINTEXT,GSSAPI_SSL:SASL_SSL
sasl.kerberos.service.name=kafka
listener.name.gssapi.sasl.enabled.mechanisms=GSSAPI
listener.name.gssapi.gssapi.sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab="$k/broker.keytab" principal="kafka/localhost@$KRB_REALM";
listener.name.gssapi_ssl.sasl.enabled.mechanisms=GSSAPI
listener.name.gssapi_ssl.gssapi.sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab="$k/broker.keytab" principal="kafka/localhost@$KRB_REALM";
EOF2
}

write_gssapi_client_configs() { # RIG: client configs with the client keytab (Java's Krb5LoginModule)
  local rd k jaas
  rd=$(rundir "$1")
  k=$(rundir kdc)
  jaas="sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab=\"$k/client.keytab\" principal=\"$KRB_CLIENT@$KRB_REALM\";"
  printf '%s\n' security.protocol=SASL_PLAINTEXT sasl.mechanism=GSSAPI sasl.kerberos.service.name=kafka "$jaas" \
    >"$rd/client-gssapi.properties"
  printf '%s\n' security.protocol=SASL_SSL sasl.mechanism=GSSAPI sasl.kerberos.service.name=kafka "$jaas" \
    ssl.truststore.type=PEM ssl.truststore.location="$rd/certs/ca.pem" >"$rd/client-gssapi-ssl.properties"
}

gssapi_env() { # RIG U: when the rig has GSSAPI listeners
  local rd
  rd=$(rundir "$1")
  [ -f "$rd/client-gssapi.properties" ] || return 0
  local p s
  case "$1" in auth39) p=$AUTH_GSSAPI_PORT s=$AUTH_GSSAPI_SSL_PORT ;; kraft39) p=$KRAFT39_GSSAPI_PORT s=$KRAFT39_GSSAPI_SSL_PORT ;; esac
  echo "export ${2}_GSSAPI_BOOTSTRAP=localhost:$p"
  echo "export ${2}_GSSAPI_SSL_BOOTSTRAP=localhost:$s"
  echo "export ${2}_GSSAPI_CONFIG=$rd/client-gssapi.properties"
  echo "export ${2}_GSSAPI_SSL_CONFIG=$rd/client-gssapi-ssl.properties"
  [ "$1" = kraft39 ] && echo "export ${2}_GSSAPI_CONTROLLER_BOOTSTRAP=127.0.0.1:$KRAFT39_GSSAPI_CONTROLLER_PORT"
  return 0
}
