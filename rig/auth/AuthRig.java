// Helpers for the auth39 rig (rig/auth.sh), run with the Java source launcher on Kafka's
// classpath:
//   p12 SRC.jks SRC_STOREPASS SRC_KEYPASS ALIAS DEST.p12 DEST_STOREPASS DEST_KEYPASS
//       copy a key entry into a new PKCS#12 store whose key password differs from its store
//       password (keytool cannot: it ignores -keypass for PKCS12; Java's KeyStore API can, and
//       Kafka's client reads such stores with ssl.key.password)
//   check BOOTSTRAP CONFIG [BOOTSTRAP CONFIG ...]
//       Kafka's own Java Admin client must log in with every client config (so that the stores
//       kraftcheck reads are ones Kafka itself accepts)
import java.io.*;
import java.nio.file.*;
import java.security.*;
import java.security.cert.Certificate;
import java.util.*;
import java.util.concurrent.*;
import org.apache.kafka.clients.admin.*;

public class AuthRig {
  public static void main(String[] a) throws Exception {
    switch (a[0]) {
      case "p12" -> p12(a);
      case "check" -> check(a);
      default -> throw new IllegalArgumentException(a[0]);
    }
  }

  static void p12(String[] a) throws Exception {
    KeyStore src = KeyStore.getInstance("JKS");
    try (InputStream in = Files.newInputStream(Path.of(a[1]))) { src.load(in, a[2].toCharArray()); }
    Key key = src.getKey(a[4], a[3].toCharArray());
    Certificate[] chain = src.getCertificateChain(a[4]);
    KeyStore dst = KeyStore.getInstance("PKCS12");
    dst.load(null, null);
    dst.setKeyEntry(a[4], key, a[7].toCharArray(), chain);
    try (OutputStream out = Files.newOutputStream(Path.of(a[5]))) { dst.store(out, a[6].toCharArray()); }
  }

  static void check(String[] a) throws Exception {
    for (int i = 1; i + 1 < a.length; i += 2) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(Path.of(a[i + 1]))) { p.load(r); }
      p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, a[i]);
      p.put(AdminClientConfig.CLIENT_ID_CONFIG, "rig-admin");
      p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
      p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
      try (Admin admin = Admin.create(p)) {
        admin.describeCluster().clusterId().get(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        StringBuilder why = new StringBuilder(e.toString());
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) why.append(" <- ").append(c);
        System.err.println("[auth-rig] Kafka's Java client cannot log in with " + a[i + 1] + " at " + a[i] + ": " + why);
        System.exit(1);
      }
      System.err.println("[auth-rig] login ok: " + a[i + 1]);
    }
  }
}
