// Admin-API helper of the kraftcheck test rig. Compiled by rig.sh with javac against the rig's Kafka
// classpath (3.9.x or 4.x; only APIs present in both are used). Subcommands:
//
//   ready     BOOTSTRAP N TIMEOUT_S            wait until DescribeCluster shows N brokers
//   bootstrap BOOTSTRAP RUN_DIR SASL_BS SSL_BS create the rig's own SCRAM users (admin, restricted) and the
//                                              restricted user's ACLs, then prove every client config logs in
//   seed      BOOTSTRAP RUN_DIR RIG KAFKA_VERSION BROKER_IDS ADVERTISED_LISTENERS_OF_FIRST_BROKER
//                                              seed objects, write RUN_DIR/seeded.json, leave an abandoned
//                                              transaction behind (the JVM halts without committing it)
//   hold      BOOTSTRAP                        long-running: an open transaction + a live consumer-group member
//   insync    BOOTSTRAP TIMEOUT_S              wait until every partition has a leader and its full ISR
//                                              (replicas being added by a reassignment excepted)
//   mirror-wait SOURCE TARGET TIMEOUT_S        wait until MirrorMaker 2 has created every source topic and
//                                              emitted checkpoints (when the source has groups), and the
//                                              target has stopped changing for 6 s
//   seed-large BOOTSTRAP RUN_DIR TOPICS PREV   bench39 (benches/collect.sh): topics PREV..TOPICS-1 (10 partitions
//                                              each); when PREV is 0 also 2,000 ACLs, 100 SCRAM users, 100 quotas,
//                                              records and 200 groups with committed offsets; writes
//                                              RUN_DIR/seeded-large.json
//
// BOOTSTRAP is always the PLAINTEXT (super-user ANONYMOUS) listener.
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.acl.*;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.*;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class RigAdmin {

  // ---------------------------------------------------------------------------------------------
  public static void main(String[] a) throws Exception {
    if (a.length == 0) usage();
    switch (a[0]) {
      case "ready" -> ready(a[1], Integer.parseInt(a[2]), Integer.parseInt(a[3]));
      case "bootstrap" -> bootstrap(a[1], Path.of(a[2]), a[3], a[4]);
      case "seed" -> new Seed(a[1], Path.of(a[2]), a[3], a[4], a[5], a[6]).run();
      case "hold" -> hold(a[1]);
      case "insync" -> insync(a[1], Integer.parseInt(a[2]));
      case "mirror-wait" -> mirrorWait(a[1], a[2], Integer.parseInt(a[3]));
      case "seed-large" -> new Large(a[1], Path.of(a[2]), Integer.parseInt(a[3]), Integer.parseInt(a[4])).run();
      default -> usage();
    }
  }

  static void usage() {
    System.err.println("usage: RigAdmin ready|bootstrap|seed|hold|insync|mirror-wait|seed-large ...");
    System.exit(2);
  }

  static Properties base(String bs) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bs);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "rig-admin");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    return p;
  }

  static Properties load(Path f) throws IOException {
    Properties p = new Properties();
    try (InputStream in = new FileInputStream(f.toFile())) { p.load(in); }
    return p;
  }

  static boolean causedBy(Throwable t, Class<?> c) {
    for (Throwable x = t; x != null; x = x.getCause()) if (c.isInstance(x)) return true;
    return false;
  }

  static void log(String s) { System.out.println("[rig] " + s); System.out.flush(); }

  // ---------------------------------------------------------------------------------------------
  static void ready(String bs, int n, int timeoutS) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
    Properties p = base(bs);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
    String last = "";
    try (Admin admin = Admin.create(p)) {
      while (System.nanoTime() < end) {
        try {
          Collection<Node> nodes = admin.describeCluster().nodes().get();
          if (nodes.size() >= n) { log("ready: " + nodes.size() + " broker(s)"); return; }
          last = nodes.size() + " of " + n + " brokers registered";
        } catch (ExecutionException e) {
          last = String.valueOf(e.getCause());
        }
        Thread.sleep(500);
      }
    }
    System.err.println("[rig] not ready after " + timeoutS + " s: " + last);
    System.exit(1);
  }

  // ---------------------------------------------------------------------------------------------
  static void bootstrap(String bs, Path run, String saslBs, String sslBs) throws Exception {
    try (Admin admin = Admin.create(base(bs))) {
      upsertScram(admin, List.of(
          new UserScramCredentialUpsertion("admin", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "admin-secret"),
          new UserScramCredentialUpsertion("admin", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), "admin-secret"),
          new UserScramCredentialUpsertion("restricted", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "restricted-secret")));
      // the restricted principal may see topics and groups, but has no Describe on the cluster (so no
      // DescribeAcls, no broker DescribeConfigs, no quotas/SCRAM listings)
      admin.createAcls(List.of(
          acl(ResourceType.TOPIC, "*", PatternType.LITERAL, "User:restricted", "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW),
          acl(ResourceType.TOPIC, "*", PatternType.LITERAL, "User:restricted", "*", AclOperation.DESCRIBE_CONFIGS, AclPermissionType.ALLOW),
          acl(ResourceType.GROUP, "*", PatternType.LITERAL, "User:restricted", "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW)
      )).all().get();
    }
    // every generated client config must log in (SCRAM credentials reach ZK-mode brokers asynchronously)
    String[][] checks = {
        {"client-scram512.properties", saslBs}, {"client-scram256.properties", saslBs},
        {"client-restricted.properties", saslBs}, {"client-ssl.properties", sslBs},
        {"client-ssl-pem.properties", sslBs}};
    for (String[] c : checks) {
      Properties p = load(run.resolve(c[0]));
      p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, c[1]);
      p.put(AdminClientConfig.CLIENT_ID_CONFIG, "rig-admin");
      p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
      p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      Throwable last = null;
      boolean ok = false;
      while (!ok && System.nanoTime() < end) {
        try (Admin admin = Admin.create(p)) {
          admin.describeCluster().clusterId().get();
          admin.describeTopics(List.of("__rig_probe__")).allTopicNames().get();
        } catch (ExecutionException e) {
          // unknown topic = authenticated and authorized far enough
          if (causedBy(e, UnknownTopicOrPartitionException.class) || causedBy(e, TopicAuthorizationException.class)) ok = true;
          else last = e.getCause();
        }
        if (!ok) Thread.sleep(500);
      }
      if (!ok) {
        System.err.println("[rig] login with " + c[0] + " at " + c[1] + " failed: " + last);
        System.exit(1);
      }
      log("login ok: " + c[0]);
    }
  }

  // KRaft rejects two alterations of one user in the same request (ZooKeeper mode accepts them)
  static void upsertScram(Admin admin, List<UserScramCredentialUpsertion> ups) throws Exception {
    for (UserScramCredentialUpsertion u : ups) admin.alterUserScramCredentials(List.of(u)).all().get();
  }

  static AclBinding acl(ResourceType rt, String name, PatternType pt, String principal, String host,
                        AclOperation op, AclPermissionType perm) {
    return new AclBinding(new ResourcePattern(rt, name, pt), new AccessControlEntry(principal, host, op, perm));
  }

  static Properties producerProps(String bs, String clientId) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bs);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return p;
  }

  static Properties consumerProps(String bs, String group, String clientId) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bs);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    return p;
  }

  // ---------------------------------------------------------------------------------------------
  static void insync(String bs, int timeoutS) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
    Properties p = base(bs);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    String last = "";
    try (Admin admin = Admin.create(p)) {
      while (System.nanoTime() < end) {
        try {
          Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
          Map<TopicPartition, PartitionReassignment> moving = admin.listPartitionReassignments().reassignments().get();
          List<String> behind = new ArrayList<>();
          for (TopicDescription d : admin.describeTopics(names).allTopicNames().get().values()) {
            for (TopicPartitionInfo pi : d.partitions()) {
              TopicPartition tp = new TopicPartition(d.name(), pi.partition());
              Set<Integer> want = new HashSet<>();
              for (Node n : pi.replicas()) want.add(n.id());
              if (moving.containsKey(tp)) want.removeAll(moving.get(tp).addingReplicas());
              Set<Integer> isr = new HashSet<>();
              for (Node n : pi.isr()) isr.add(n.id());
              if (pi.leader() == null || pi.leader().isEmpty() || !isr.containsAll(want)) behind.add(tp.toString());
            }
          }
          if (behind.isEmpty()) { log("insync: every partition has its full ISR"); return; }
          last = behind.size() + " partition(s) behind, e.g. " + behind.get(0);
        } catch (ExecutionException e) {
          last = String.valueOf(e.getCause());
        }
        Thread.sleep(500);
      }
    }
    System.err.println("[rig] not in sync after " + timeoutS + " s: " + last);
    System.exit(1);
  }

  // MirrorMaker 2's default topics.exclude, and its own topics
  static boolean mirrored(String topic) {
    return !(topic.matches(".*[\\-\\.]internal") || topic.matches(".*\\.replica") || topic.startsWith("__")
        || topic.equals("heartbeats"));
  }

  static void mirrorWait(String srcBs, String tgtBs, int timeoutS) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
    Properties sp = base(srcBs), tp = base(tgtBs);
    String last = "", prev = null;
    long stableSince = 0;
    try (Admin src = Admin.create(sp); Admin tgt = Admin.create(tp)) {
      // what the source has (it does not change while MirrorMaker 2 runs)
      Map<String, Integer> topics = new TreeMap<>();
      for (TopicDescription d : src.describeTopics(src.listTopics().names().get()).allTopicNames().get().values())
        if (mirrored(d.name())) topics.put(d.name(), d.partitions().size());
      Map<String, Set<TopicPartition>> groups = new TreeMap<>();
      for (ConsumerGroupListing g : src.listConsumerGroups().all().get()) {
        Set<TopicPartition> tps = new TreeSet<>(Comparator.comparing(TopicPartition::toString));
        for (TopicPartition t : src.listConsumerGroupOffsets(g.groupId()).partitionsToOffsetAndMetadata().get().keySet())
          if (topics.containsKey(t.topic())) tps.add(t);
        if (!tps.isEmpty()) groups.put(g.groupId(), tps);
      }
      log("mirror-wait: " + topics.size() + " topics and " + groups.size() + " groups to see on the target");
      while (System.nanoTime() < end) {
        try {
          Map<String, TopicDescription> have = tgt.describeTopics(tgt.listTopics().names().get()).allTopicNames().get();
          List<String> missing = new ArrayList<>();
          StringBuilder snap = new StringBuilder();
          Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
          for (Map.Entry<String, Integer> t : topics.entrySet()) {
            TopicDescription d = have.get(t.getKey());
            if (d == null || d.partitions().size() < t.getValue()) { missing.add("topic " + t.getKey()); continue; }
            for (TopicPartitionInfo pi : d.partitions()) ends.put(new TopicPartition(t.getKey(), pi.partition()), OffsetSpec.latest());
          }
          // offsets that MirrorMaker 2 cannot translate never appear, so wait for its checkpoints, not for them
          if (!groups.isEmpty()) {
            TopicPartition cp = new TopicPartition("source.checkpoints.internal", 0);
            if (!have.containsKey(cp.topic())
                || tgt.listOffsets(Map.of(cp, OffsetSpec.latest())).all().get().get(cp).offset() == 0)
              missing.add("checkpoints in " + cp.topic());
          }
          for (Map.Entry<String, Set<TopicPartition>> g : groups.entrySet()) {
            Map<TopicPartition, OffsetAndMetadata> o =
                tgt.listConsumerGroupOffsets(g.getKey()).partitionsToOffsetAndMetadata().get();
            snap.append(g.getKey()).append(new TreeMap<>(o.entrySet().stream().collect(
                java.util.stream.Collectors.toMap(e -> e.getKey().toString(), e -> e.getValue().offset())))).append(';');
          }
          if (!missing.isEmpty()) {
            last = missing.size() + " missing, e.g. " + missing.get(0);
            stableSince = 0;
          } else {
            Map<String, Long> endOffsets = new TreeMap<>();
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : tgt.listOffsets(ends).all().get().entrySet())
              endOffsets.put(e.getKey().toString(), e.getValue().offset());
            snap.append(endOffsets).append(';');
            snap.append("acls=").append(tgt.describeAcls(AclBindingFilter.ANY).values().get().size()).append(';');
            List<ConfigResource> res = new ArrayList<>();
            for (String t : topics.keySet()) res.add(new ConfigResource(ConfigResource.Type.TOPIC, t));
            for (Map.Entry<ConfigResource, Config> c : tgt.describeConfigs(res).all().get().entrySet())
              for (ConfigEntry ce : c.getValue().entries())
                if (ce.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                  snap.append(c.getKey().name()).append(':').append(ce.name()).append('=').append(ce.value()).append(';');
            String now = snap.toString();
            if (!now.equals(prev)) { prev = now; stableSince = System.nanoTime(); last = "target still changing"; }
            else if (System.nanoTime() - stableSince > TimeUnit.SECONDS.toNanos(6)) {
              log("mirror-wait: the target has every topic and checkpoints and has not changed for 6 s");
              return;
            }
          }
        } catch (ExecutionException e) {
          last = String.valueOf(e.getCause());
        }
        Thread.sleep(1000);
      }
    }
    System.err.println("[rig] MirrorMaker 2 not in sync after " + timeoutS + " s: " + last);
    System.exit(1);
  }

  // ---------------------------------------------------------------------------------------------
  // Holder: keeps a transaction open (tx-open-live on payments-0) and a Stable consumer group
  // (app-live on orders-eu, committed 20 of 30) until SIGTERM.
  static void hold(String bs) throws Exception {
    Properties pp = producerProps(bs, "rig-holder-producer");
    pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-open-live");
    pp.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "3600000");
    KafkaProducer<String, String> producer = new KafkaProducer<>(pp);
    producer.initTransactions();
    producer.beginTransaction();
    for (int i = 0; i < 5; i++) producer.send(new ProducerRecord<>("payments", 0, "open-" + i, "pending-" + i)).get();
    producer.flush();
    log("transaction tx-open-live is open");

    KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps(bs, "app-live", "app-live-client"));
    TopicPartition eu = new TopicPartition("orders-eu", 0);
    consumer.subscribe(List.of("orders-eu"), new ConsumerRebalanceListener() {
      public void onPartitionsRevoked(Collection<TopicPartition> parts) {}
      public void onPartitionsAssigned(Collection<TopicPartition> parts) { consumer.pause(parts); }
    });
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (consumer.assignment().isEmpty()) {
      if (System.nanoTime() > end) throw new IllegalStateException("app-live got no assignment");
      consumer.poll(Duration.ofMillis(200));
    }
    consumer.commitSync(Map.of(eu, new OffsetAndMetadata(20, "seeded")));
    log("group app-live is Stable with a committed offset");
    System.out.println("READY");
    System.out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {}));
    while (true) {
      consumer.poll(Duration.ofSeconds(1)); // paused: keeps membership, fetches nothing
    }
  }

  // ---------------------------------------------------------------------------------------------
  static final class Seed {
    final String bs, rig, version;
    final Path run;
    final List<Integer> brokerIds = new ArrayList<>();
    final String advertisedFirst;
    final Json out = new Json();

    Seed(String bs, Path run, String rig, String version, String brokerIds, String advertisedFirst) {
      this.bs = bs; this.run = run; this.rig = rig; this.version = version;
      for (String s : brokerIds.split(",")) this.brokerIds.add(Integer.parseInt(s.trim()));
      this.advertisedFirst = advertisedFirst;
    }

    boolean legacyFormat() { return version.startsWith("3."); }

    record TopicSpec(String name, int partitions, int rf, Map<String, String> configs, String role,
                     Map<Integer, List<Integer>> assignment) {}

    List<TopicSpec> topics() {
      int rf2 = Math.min(2, brokerIds.size());
      int b0 = brokerIds.get(0);
      List<TopicSpec> t = new ArrayList<>();
      Map<String, String> mfv = new LinkedHashMap<>();
      if (legacyFormat()) mfv.put("message.format.version", "0.10.2");
      mfv.put("cleanup.policy", "compact");
      t.add(new TopicSpec("legacy-mfv", 3, rf2, mfv, "app", null));
      Map<String, String> dc = new LinkedHashMap<>();
      if (legacyFormat()) { dc.put("message.format.version", "1.1"); dc.put("message.downconversion.enable", "false"); }
      dc.put("retention.ms", "172800000");
      t.add(new TopicSpec("legacy-downconv", 1, 1, dc, "app", null));
      t.add(new TopicSpec("orders", 6, rf2, lhm("retention.ms", "86400000", "compression.type", "zstd",
          "min.insync.replicas", String.valueOf(rf2)), "app", null));
      t.add(new TopicSpec("orders-eu", 1, 1, lhm(), "app", null));
      t.add(new TopicSpec("compacted-state", 2, rf2, lhm("cleanup.policy", "compact",
          "min.cleanable.dirty.ratio", "0.1", "segment.ms", "3600000"), "app", null));
      t.add(new TopicSpec("payments", 3, rf2, lhm("max.message.bytes", "2097152"), "app", null));
      t.add(new TopicSpec("reassign-me", 1, 1, lhm(), "app", Map.of(0, List.of(b0))));
      t.add(new TopicSpec("_schemas", 1, 1, lhm("cleanup.policy", "compact"), "schema-registry", null));
      t.add(new TopicSpec("connect-offsets", 2, rf2, lhm("cleanup.policy", "compact"), "connect", null));
      t.add(new TopicSpec("wordcount-app-counts-store-changelog", 2, 1, lhm("cleanup.policy", "compact"), "streams", null));
      t.add(new TopicSpec("mm2-offset-syncs.source.internal", 1, 1, lhm("cleanup.policy", "compact"), "mirrormaker2", null));
      t.add(new TopicSpec("_confluent-ksql-default__command_topic", 1, 1, lhm("retention.ms", "-1"), "ksqldb", null));
      return t;
    }

    void run() throws Exception {
      long t0 = System.nanoTime();
      out.begin();
      out.kv("rig", rig).kv("kafka_version", version).kv("bootstrap", bs);
      try (Admin admin = Admin.create(base(bs))) {
        out.kv("cluster_id", admin.describeCluster().clusterId().get());
        topics(admin);
        produceData();
        acls(admin);
        scram(admin);
        quotas(admin);
        brokerConfigs(admin);
        groups(admin);
        transactions();
        reassignment(admin);
        assignments(admin);
      }
      out.raw("holder", "{\"transaction\":\"tx-open-live\",\"group\":\"app-live\",\"note\":\"started by rig.sh seed as a separate process\"}");
      out.end();
      Files.writeString(run.resolve("seeded.json"), out.toString(), StandardCharsets.UTF_8);
      log("seeded.json written (" + (System.nanoTime() - t0) / 1_000_000 + " ms)");
      abandonTransaction(); // halts the JVM
    }

    static Map<String, String> lhm(String... kv) {
      Map<String, String> m = new LinkedHashMap<>();
      for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
      return m;
    }

    void topics(Admin admin) throws Exception {
      List<NewTopic> nts = new ArrayList<>();
      for (TopicSpec s : topics()) {
        NewTopic nt = s.assignment() != null ? new NewTopic(s.name(), s.assignment())
            : new NewTopic(s.name(), s.partitions(), (short) s.rf());
        nts.add(nt.configs(s.configs()));
      }
      CreateTopicsResult r = admin.createTopics(nts);
      for (Map.Entry<String, ? extends org.apache.kafka.common.KafkaFuture<Void>> e : r.values().entrySet()) {
        try { e.getValue().get(); }
        catch (ExecutionException ex) { if (!causedBy(ex, TopicExistsException.class)) throw ex; }
      }
      // wait for leaders everywhere
      Set<String> names = new LinkedHashSet<>();
      for (TopicSpec s : topics()) names.add(s.name());
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        boolean ok = true;
        try {
          for (TopicDescription d : admin.describeTopics(names).allTopicNames().get().values())
            for (TopicPartitionInfo p : d.partitions()) if (p.leader() == null) ok = false;
        } catch (ExecutionException e) { ok = false; }
        if (ok) break;
        if (System.nanoTime() > end) throw new IllegalStateException("topics have no leaders");
        Thread.sleep(200);
      }
      log("topics created");
    }

    void produceData() throws Exception {
      try (KafkaProducer<String, String> p = new KafkaProducer<>(producerProps(bs, "rig-seeder"))) {
        for (int part = 0; part < 6; part++)
          for (int i = 0; i < 10; i++) p.send(new ProducerRecord<>("orders", part, "o" + part + "-" + i, "order " + i));
        for (int i = 0; i < 30; i++) p.send(new ProducerRecord<>("orders-eu", 0, "eu" + i, "order " + i));
        for (int part = 0; part < 3; part++)
          for (int i = 0; i < 5; i++) p.send(new ProducerRecord<>("legacy-mfv", part, "k" + i, "v" + i));
        for (int i = 0; i < 10; i++) p.send(new ProducerRecord<>("compacted-state", i % 2, "key" + (i % 3), "state " + i));
        p.flush();
      }
      // ~4 MiB on reassign-me-0 so that the throttled reassignment cannot finish
      Properties pp = producerProps(bs, "rig-seeder-bulk");
      pp.put(ProducerConfig.ACKS_CONFIG, "1");
      pp.put(ProducerConfig.LINGER_MS_CONFIG, "20");
      pp.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
      pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
      String kb = "x".repeat(1024);
      try (KafkaProducer<String, String> p = new KafkaProducer<>(pp)) {
        for (int i = 0; i < 4096; i++) p.send(new ProducerRecord<>("reassign-me", 0, null, kb));
        p.flush();
      }
      log("data produced");
    }

    record AclSpec(ResourceType rt, String name, PatternType pt, String principal, String host, AclOperation op,
                   AclPermissionType perm) {}

    List<AclSpec> aclSpecs() {
      return List.of(
          new AclSpec(ResourceType.TOPIC, "orders", PatternType.LITERAL, "User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW),
          new AclSpec(ResourceType.TOPIC, "orders", PatternType.LITERAL, "User:alice", "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW),
          new AclSpec(ResourceType.TOPIC, "orders-", PatternType.PREFIXED, "User:bob", "*", AclOperation.WRITE, AclPermissionType.ALLOW),
          new AclSpec(ResourceType.TOPIC, "*", PatternType.LITERAL, "User:mallory", "192.0.2.66", AclOperation.ALL, AclPermissionType.DENY),
          new AclSpec(ResourceType.GROUP, "app1", PatternType.LITERAL, "User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW),
          new AclSpec(ResourceType.GROUP, "app-", PatternType.PREFIXED, "User:bob", "*", AclOperation.READ, AclPermissionType.ALLOW),
          new AclSpec(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, "User:ops", "*", AclOperation.ALTER_CONFIGS, AclPermissionType.ALLOW),
          new AclSpec(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, "User:ops", "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW),
          new AclSpec(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, "User:alice", "*", AclOperation.IDEMPOTENT_WRITE, AclPermissionType.ALLOW),
          new AclSpec(ResourceType.TRANSACTIONAL_ID, "tx-", PatternType.PREFIXED, "User:alice", "*", AclOperation.WRITE, AclPermissionType.ALLOW),
          new AclSpec(ResourceType.TRANSACTIONAL_ID, "payments-tx", PatternType.LITERAL, "User:bob", "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW));
    }

    void acls(Admin admin) throws Exception {
      List<AclBinding> bs = new ArrayList<>();
      for (AclSpec s : aclSpecs()) bs.add(acl(s.rt(), s.name(), s.pt(), s.principal(), s.host(), s.op(), s.perm()));
      admin.createAcls(bs).all().get();
      out.arrayBegin("acls");
      // the rig's bootstrap ACLs for the restricted user are part of the cluster too
      List<AclSpec> all = new ArrayList<>(List.of(
          new AclSpec(ResourceType.TOPIC, "*", PatternType.LITERAL, "User:restricted", "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW),
          new AclSpec(ResourceType.TOPIC, "*", PatternType.LITERAL, "User:restricted", "*", AclOperation.DESCRIBE_CONFIGS, AclPermissionType.ALLOW),
          new AclSpec(ResourceType.GROUP, "*", PatternType.LITERAL, "User:restricted", "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW)));
      all.addAll(aclSpecs());
      for (AclSpec s : all) {
        out.elem("{\"resource_type\":" + Json.q(s.rt().name()) + ",\"resource_name\":" + Json.q(s.name())
            + ",\"pattern_type\":" + Json.q(s.pt().name()) + ",\"principal\":" + Json.q(s.principal())
            + ",\"host\":" + Json.q(s.host()) + ",\"operation\":" + Json.q(s.op().name())
            + ",\"permission_type\":" + Json.q(s.perm().name()) + "}");
      }
      out.arrayEnd();
      log("ACLs created");
    }

    void scram(Admin admin) throws Exception {
      upsertScram(admin, List.of(
          new UserScramCredentialUpsertion("alice", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), "alice-secret"),
          new UserScramCredentialUpsertion("bob", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), "bob-secret"),
          new UserScramCredentialUpsertion("carol", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), "carol-secret"),
          new UserScramCredentialUpsertion("carol", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 10000), "carol-secret")));
      out.raw("scram_users", "[" + String.join(",",
          scramJ("admin", "SCRAM-SHA-256", 4096), scramJ("admin", "SCRAM-SHA-512", 4096),
          scramJ("alice", "SCRAM-SHA-512", 8192), scramJ("bob", "SCRAM-SHA-256", 4096),
          scramJ("carol", "SCRAM-SHA-256", 4096), scramJ("carol", "SCRAM-SHA-512", 10000),
          scramJ("restricted", "SCRAM-SHA-512", 4096)) + "]");
      log("SCRAM users created");
    }

    static String scramJ(String u, String m, int it) {
      return "{\"user\":" + Json.q(u) + ",\"mechanism\":" + Json.q(m) + ",\"iterations\":" + it + "}";
    }

    void quotas(Admin admin) throws Exception {
      List<ClientQuotaAlteration> alts = new ArrayList<>();
      List<String> js = new ArrayList<>();
      // entity keys per ClientQuotaEntity: user, client-id, ip; a null value is the <default> entity
      Object[][] q = {
          {new String[]{"user", "alice"}, new Object[]{"producer_byte_rate", 1048576.0, "consumer_byte_rate", 2097152.0}},
          {new String[]{"client-id", "app1"}, new Object[]{"request_percentage", 50.0}},
          {new String[]{"user", "bob", "client-id", "app1"}, new Object[]{"producer_byte_rate", 524288.0}},
          {new String[]{"user", null}, new Object[]{"consumer_byte_rate", 104857600.0}},
          {new String[]{"client-id", null}, new Object[]{"producer_byte_rate", 104857600.0}},
          {new String[]{"ip", "192.0.2.10"}, new Object[]{"connection_creation_rate", 50.0}},
      };
      for (Object[] row : q) {
        String[] ent = (String[]) row[0];
        Object[] vals = (Object[]) row[1];
        Map<String, String> em = new LinkedHashMap<>();
        StringBuilder ej = new StringBuilder("{");
        for (int i = 0; i < ent.length; i += 2) {
          em.put(ent[i], ent[i + 1]);
          if (i > 0) ej.append(',');
          ej.append(Json.q(ent[i])).append(':').append(ent[i + 1] == null ? "null" : Json.q(ent[i + 1]));
        }
        ej.append('}');
        List<ClientQuotaAlteration.Op> ops = new ArrayList<>();
        StringBuilder vj = new StringBuilder("{");
        for (int i = 0; i < vals.length; i += 2) {
          ops.add(new ClientQuotaAlteration.Op((String) vals[i], (Double) vals[i + 1]));
          if (i > 0) vj.append(',');
          vj.append(Json.q((String) vals[i])).append(':').append(vals[i + 1]);
        }
        vj.append('}');
        alts.add(new ClientQuotaAlteration(new ClientQuotaEntity(em), ops));
        js.add("{\"entity\":" + ej + ",\"values\":" + vj + "}");
      }
      admin.alterClientQuotas(alts).all().get();
      out.raw("quotas", "[" + String.join(",", js) + "]");
      log("quotas set");
    }

    void brokerConfigs(Admin admin) throws Exception {
      Map<String, Map<String, String>> cfg = new LinkedHashMap<>();
      Map<String, String> dflt = lhm("message.max.bytes", "2097152", "log.cleaner.min.cleanable.ratio", "0.4");
      if (legacyFormat()) dflt.put("log.message.downconversion.enable", "false");
      cfg.put("", dflt);
      int b0 = brokerIds.get(0);
      Map<String, String> first = lhm("log.cleaner.io.max.bytes.per.second", "10485760");
      // a dynamic per-broker advertised.listeners is a ZooKeeper-mode thing (KRaft brokers reject it)
      if (rig.startsWith("zk")) first.put("advertised.listeners", advertisedFirst);
      cfg.put(String.valueOf(b0), first);
      // per-broker values are chosen among configs that are not topic-config synonyms, so that a topic's
      // effective configs do not depend on which broker answers DescribeConfigs
      if (brokerIds.size() > 1) cfg.put(String.valueOf(brokerIds.get(1)), lhm("log.cleaner.backoff.ms", "30000"));
      Map<ConfigResource, Collection<AlterConfigOp>> ops = new LinkedHashMap<>();
      for (Map.Entry<String, Map<String, String>> e : cfg.entrySet()) {
        List<AlterConfigOp> l = new ArrayList<>();
        for (Map.Entry<String, String> kv : e.getValue().entrySet())
          l.add(new AlterConfigOp(new ConfigEntry(kv.getKey(), kv.getValue()), AlterConfigOp.OpType.SET));
        ops.put(new ConfigResource(ConfigResource.Type.BROKER, e.getKey()), l);
      }
      admin.incrementalAlterConfigs(ops).all().get();
      log("dynamic broker configs set");
      // reassignment throttle rates are added by reassignment(); recorded there and merged here
      this.brokerCfg = cfg;
    }

    Map<String, Map<String, String>> brokerCfg;

    void groups(Admin admin) throws Exception {
      // app1: offsets written through the Admin API, no members (state Empty), lag on p1, p2, p4
      long[] app1 = {10, 5, 0, 10, 7, 10};
      Map<TopicPartition, OffsetAndMetadata> offs = new LinkedHashMap<>();
      for (int p = 0; p < 6; p++) offs.put(new TopicPartition("orders", p), new OffsetAndMetadata(app1[p], "seeded"));
      admin.alterConsumerGroupOffsets("app1", offs).all().get();

      // app-billing: a real consumer read everything and committed, then left (state Empty, lag 0)
      try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerProps(bs, "app-billing", "billing-client"))) {
        c.subscribe(List.of("orders"));
        int seen = 0;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (seen < 60) {
          if (System.nanoTime() > end) throw new IllegalStateException("app-billing consumed only " + seen);
          ConsumerRecords<String, String> recs = c.poll(Duration.ofMillis(500));
          seen += recs.count();
        }
        c.commitSync();
      }
      StringBuilder g = new StringBuilder("[");
      g.append("{\"group\":\"app1\",\"state\":\"Empty\",\"members\":0,\"offsets\":{\"orders\":{");
      for (int p = 0; p < 6; p++) g.append(p == 0 ? "" : ",").append('"').append(p).append("\":").append(app1[p]);
      g.append("}},\"end_offsets\":{\"orders\":{\"0\":10,\"1\":10,\"2\":10,\"3\":10,\"4\":10,\"5\":10}},\"lag\":18},");
      g.append("{\"group\":\"app-billing\",\"state\":\"Empty\",\"members\":0,\"offsets\":{\"orders\":{\"0\":10,\"1\":10,\"2\":10,\"3\":10,\"4\":10,\"5\":10}},\"end_offsets\":{\"orders\":{\"0\":10,\"1\":10,\"2\":10,\"3\":10,\"4\":10,\"5\":10}},\"lag\":0},");
      g.append("{\"group\":\"app-live\",\"state\":\"Stable\",\"members\":1,\"client_id\":\"app-live-client\",\"offsets\":{\"orders-eu\":{\"0\":20}},\"end_offsets\":{\"orders-eu\":{\"0\":30}},\"lag\":10}");
      g.append("]");
      out.raw("groups", g.toString());
      log("consumer groups seeded");
    }

    void transactions() throws Exception {
      Properties pp = producerProps(bs, "rig-tx-committed");
      pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-committed");
      try (KafkaProducer<String, String> p = new KafkaProducer<>(pp)) {
        p.initTransactions();
        p.beginTransaction();
        for (int i = 0; i < 10; i++) p.send(new ProducerRecord<>("payments", 1, "c" + i, "committed " + i));
        p.commitTransaction();
      }
      out.raw("transactions", "["
          + "{\"transactional_id\":\"tx-committed\",\"state\":\"CompleteCommit\",\"partitions\":[\"payments-1\"]},"
          + "{\"transactional_id\":\"tx-open-live\",\"state\":\"Ongoing\",\"partitions\":[\"payments-0\"],\"producer\":\"still running (rig holder process)\",\"timeout_ms\":3600000},"
          + "{\"transactional_id\":\"tx-abandoned\",\"state\":\"Ongoing\",\"partitions\":[\"payments-2\"],\"producer\":\"gone (JVM halted after send)\",\"timeout_ms\":3600000}"
          + "]");
      log("committed transaction written");
    }

    void reassignment(Admin admin) throws Exception {
      if (brokerIds.size() < 2) { out.raw("reassignments", "[]"); return; }
      int from = brokerIds.get(0), to = brokerIds.get(1);
      Map<ConfigResource, Collection<AlterConfigOp>> ops = new LinkedHashMap<>();
      // what kafka-reassign-partitions --throttle 1 writes: rates on the brokers, replicas on the topic
      for (int b : List.of(from, to)) {
        ops.put(new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(b)), List.of(
            new AlterConfigOp(new ConfigEntry("leader.replication.throttled.rate", "1"), AlterConfigOp.OpType.SET),
            new AlterConfigOp(new ConfigEntry("follower.replication.throttled.rate", "1"), AlterConfigOp.OpType.SET)));
        brokerCfg.get(String.valueOf(b)).put("leader.replication.throttled.rate", "1");
        brokerCfg.get(String.valueOf(b)).put("follower.replication.throttled.rate", "1");
      }
      ops.put(new ConfigResource(ConfigResource.Type.TOPIC, "reassign-me"), List.of(
          new AlterConfigOp(new ConfigEntry("leader.replication.throttled.replicas", "0:" + from), AlterConfigOp.OpType.SET),
          new AlterConfigOp(new ConfigEntry("follower.replication.throttled.replicas", "0:" + to), AlterConfigOp.OpType.SET)));
      admin.incrementalAlterConfigs(ops).all().get();
      admin.alterPartitionReassignments(Map.of(new TopicPartition("reassign-me", 0),
          Optional.of(new NewPartitionReassignment(List.of(from, to))))).all().get();
      Thread.sleep(1000);
      Map<TopicPartition, PartitionReassignment> ongoing = admin.listPartitionReassignments().reassignments().get();
      if (!ongoing.containsKey(new TopicPartition("reassign-me", 0)))
        throw new IllegalStateException("reassignment of reassign-me-0 finished or never started: " + ongoing);
      out.raw("reassignments", "[{\"topic\":\"reassign-me\",\"partition\":0,\"replicas_before\":[" + from
          + "],\"target_replicas\":[" + from + "," + to + "],\"adding\":[" + to + "],\"removing\":[],"
          + "\"throttle_bytes_per_sec\":1}]");
      log("throttled reassignment in progress");
    }

    void assignments(Admin admin) throws Exception {
      StringBuilder b = new StringBuilder("{");
      boolean firstB = true;
      for (Map.Entry<String, Map<String, String>> e : brokerCfg.entrySet()) {
        if (!firstB) b.append(',');
        firstB = false;
        b.append(Json.q(e.getKey().isEmpty() ? "<default>" : e.getKey())).append(':').append(Json.obj(e.getValue()));
      }
      out.raw("broker_configs", b.append('}').toString());

      List<TopicSpec> specs = topics();
      Set<String> names = new LinkedHashSet<>();
      for (TopicSpec s : specs) names.add(s.name());
      Map<String, TopicDescription> d = admin.describeTopics(names).allTopicNames().get();
      out.arrayBegin("topics");
      for (TopicSpec s : specs) {
        Map<String, String> cfg = new LinkedHashMap<>(s.configs());
        if (s.name().equals("reassign-me") && brokerIds.size() > 1) {
          cfg.put("leader.replication.throttled.replicas", "0:" + brokerIds.get(0));
          cfg.put("follower.replication.throttled.replicas", "0:" + brokerIds.get(1));
        }
        StringBuilder a = new StringBuilder("{");
        for (TopicPartitionInfo p : d.get(s.name()).partitions()) {
          if (p.partition() > 0) a.append(',');
          a.append('"').append(p.partition()).append("\":[");
          for (int i = 0; i < p.replicas().size(); i++) a.append(i == 0 ? "" : ",").append(p.replicas().get(i).id());
          a.append(']');
        }
        a.append('}');
        out.elem("{\"name\":" + Json.q(s.name()) + ",\"partitions\":" + s.partitions() + ",\"replication_factor\":"
            + s.rf() + ",\"role\":" + Json.q(s.role()) + ",\"configs\":" + Json.obj(cfg)
            + ",\"assignment_at_seed\":" + a + "}");
      }
      out.arrayEnd();
    }

    void abandonTransaction() throws Exception {
      Properties pp = producerProps(bs, "rig-tx-abandoned");
      pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-abandoned");
      pp.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "3600000");
      KafkaProducer<String, String> p = new KafkaProducer<>(pp);
      p.initTransactions();
      p.beginTransaction();
      for (int i = 0; i < 3; i++) p.send(new ProducerRecord<>("payments", 2, "a" + i, "abandoned " + i)).get();
      log("transaction tx-abandoned left open; halting");
      System.out.flush();
      Runtime.getRuntime().halt(0);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // seed-large: a cluster of production-like size for the collect benchmark (rig bench39), every kind
  // of object in batched Admin calls. Topics bench-00000… have 10 partitions; every third one (i % 3 == 1)
  // has RF 2, the others RF 1: each replica keeps a segment file open, and 20,000 partitions at RF 2 on
  // 2 brokers would exceed an open-files limit of 20,000 (rig.sh checks `ulimit -n`). A second call with
  // more topics (PREV > 0) only adds topics, so the other objects stay the same at every size.
  static final class Large {
    static final int PARTITIONS = 10, ACLS = 2000, SCRAM_USERS = 100, QUOTAS = 100, GROUPS = 200, RECORDS = 5,
        TOPIC_BATCH = 200, ACL_BATCH = 250;
    final String bs;
    final Path run;
    final int n, prev;

    Large(String bs, Path run, int n, int prev) { this.bs = bs; this.run = run; this.n = n; this.prev = prev; }

    static String topic(int i) { return String.format("bench-%05d", i); }
    static int rf(int i) { return i % 3 == 1 ? 2 : 1; }
    static Map<String, String> configs(int i) {
      Map<String, String> c = new LinkedHashMap<>();
      if (i % 3 == 0) c.put("retention.ms", String.valueOf(86_400_000L * (1 + i % 7)));
      if (i % 10 == 5) c.put("max.message.bytes", "2097152");
      return c;
    }
    // the topics that get records and the groups' offsets: the first 200 (fewer when the cluster is smaller)
    int dataTopics() { return Math.min(n, GROUPS); }

    void run() throws Exception {
      long t0 = System.nanoTime();
      Properties p = base(bs);
      p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "120000");
      p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "600000");
      try (Admin admin = Admin.create(p)) {
        topics(admin);
        if (prev == 0) {
          produce();
          groups(admin);
          acls(admin);
          scram(admin);
          quotas(admin);
        }
      }
      int rf2 = 0, retention = 0, maxBytes = 0;
      for (int i = 0; i < n; i++) {
        if (rf(i) == 2) rf2++;
        if (configs(i).containsKey("retention.ms")) retention++;
        if (configs(i).containsKey("max.message.bytes")) maxBytes++;
      }
      Json out = new Json();
      out.begin();
      out.kv("rig", run.getFileName().toString()); // the run dir is rig/run/RIG
      out.raw("topics", String.valueOf(n));
      out.raw("partitions_per_topic", String.valueOf(PARTITIONS));
      out.raw("partitions", String.valueOf(n * PARTITIONS));
      out.raw("topics_rf2", String.valueOf(rf2));
      out.raw("topics_with_retention_ms", String.valueOf(retention));
      out.raw("topics_with_max_message_bytes", String.valueOf(maxBytes));
      out.raw("acls", String.valueOf(ACLS));
      out.raw("scram_users", String.valueOf(SCRAM_USERS));
      out.raw("quotas", String.valueOf(QUOTAS));
      out.raw("groups", String.valueOf(GROUPS));
      out.raw("records_per_partition", String.valueOf(RECORDS));
      out.raw("topics_with_records", String.valueOf(dataTopics()));
      out.kv("note", "topics bench-NNNNN; the 3 ACLs and 2 SCRAM users of rig.sh up (restricted, admin) come on top");
      out.end();
      Files.writeString(run.resolve("seeded-large.json"), out.toString(), StandardCharsets.UTF_8);
      log("seed-large: " + n + " topics (from " + prev + ") in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }

    void topics(Admin admin) throws Exception {
      long t = System.nanoTime();
      Set<String> names = new LinkedHashSet<>();
      List<NewTopic> batch = new ArrayList<>();
      for (int i = prev; i < n; i++) {
        names.add(topic(i));
        batch.add(new NewTopic(topic(i), PARTITIONS, (short) rf(i)).configs(configs(i)));
        if (batch.size() == TOPIC_BATCH || i == n - 1) {
          CreateTopicsResult r = admin.createTopics(batch, new CreateTopicsOptions().timeoutMs(120_000));
          for (Map.Entry<String, ? extends org.apache.kafka.common.KafkaFuture<Void>> e : r.values().entrySet()) {
            try { e.getValue().get(); }
            catch (ExecutionException ex) { if (!causedBy(ex, TopicExistsException.class)) throw ex; }
          }
          batch.clear();
          log("seed-large: " + (i + 1) + " topics created");
        }
      }
      // every partition has a leader, as the brokers' metadata shows it
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
      String last = "";
      while (true) {
        int missing = 0;
        try {
          for (TopicDescription d : admin.describeTopics(names).allTopicNames().get().values())
            for (TopicPartitionInfo pi : d.partitions()) if (pi.leader() == null || pi.leader().isEmpty()) missing++;
          last = missing + " partition(s) without a leader";
        } catch (ExecutionException e) { missing = -1; last = String.valueOf(e.getCause()); }
        if (missing == 0) break;
        if (System.nanoTime() > end) throw new IllegalStateException("seed-large: topics not ready after 300 s: " + last);
        Thread.sleep(500);
      }
      log("seed-large: " + names.size() + " topics have leaders (" + (System.nanoTime() - t) / 1_000_000 + " ms)");
    }

    void produce() throws Exception {
      Properties pp = producerProps(bs, "rig-seeder-large");
      pp.put(ProducerConfig.LINGER_MS_CONFIG, "50");
      try (KafkaProducer<String, String> pr = new KafkaProducer<>(pp)) {
        for (int i = 0; i < dataTopics(); i++)
          for (int part = 0; part < PARTITIONS; part++)
            for (int r = 0; r < RECORDS; r++) pr.send(new ProducerRecord<>(topic(i), part, "k" + r, "record " + r));
        pr.flush();
      }
      log("seed-large: " + dataTopics() * PARTITIONS * RECORDS + " records produced");
    }

    void groups(Admin admin) throws Exception {
      // group g commits on every partition of topic g (of the first 200), offset p % 5 of 5: lag 30 a group
      // a commit that times out (a busy machine: the offsets topic's acks=all) is sent again, up to 5 times
      List<Integer> todo = new ArrayList<>();
      for (int g = 0; g < GROUPS; g++) todo.add(g);
      for (int attempt = 1; !todo.isEmpty(); attempt++) {
        Map<Integer, org.apache.kafka.common.KafkaFuture<Void>> fs = new LinkedHashMap<>();
        for (int g : todo) {
          Map<TopicPartition, OffsetAndMetadata> offs = new LinkedHashMap<>();
          for (int part = 0; part < PARTITIONS; part++)
            offs.put(new TopicPartition(topic(g % dataTopics()), part), new OffsetAndMetadata(part % RECORDS, "seeded"));
          fs.put(g, admin.alterConsumerGroupOffsets(String.format("bench-group-%03d", g), offs).all());
        }
        todo.clear();
        for (Map.Entry<Integer, org.apache.kafka.common.KafkaFuture<Void>> e : fs.entrySet()) {
          try { e.getValue().get(); }
          catch (ExecutionException ex) {
            if (attempt >= 5 || !(causedBy(ex, org.apache.kafka.common.errors.TimeoutException.class)
                || causedBy(ex, org.apache.kafka.common.errors.RetriableException.class))) throw ex;
            todo.add(e.getKey());
          }
        }
        if (!todo.isEmpty()) log("seed-large: " + todo.size() + " group commit(s) timed out, again (attempt " + (attempt + 1) + ")");
      }
      log("seed-large: " + GROUPS + " consumer groups with committed offsets");
    }

    void acls(Admin admin) throws Exception {
      // a quarter each on topics, groups, transactional ids (literal and prefixed) and the cluster; every
      // binding has its own principal, so all 2,000 are distinct
      AclOperation[] dataOps = {AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE};
      AclOperation[] clusterOps = {AclOperation.IDEMPOTENT_WRITE, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS,
          AclOperation.ALTER_CONFIGS};
      List<AclBinding> batch = new ArrayList<>();
      for (int i = 0; i < ACLS; i++) {
        int k = i / 4;
        PatternType pt = k % 2 == 0 ? PatternType.LITERAL : PatternType.PREFIXED;
        String principal = String.format("User:bench-app-%04d", i);
        AclPermissionType perm = i % 50 == 0 ? AclPermissionType.DENY : AclPermissionType.ALLOW;
        String host = i % 25 == 0 ? "192.0.2." + (i % 250) : "*";
        AclBinding b = switch (i % 4) {
          case 0 -> acl(ResourceType.TOPIC, pt == PatternType.LITERAL ? topic(k) : "bench-" + (k % 100), pt, principal,
              host, dataOps[k % 3], perm);
          case 1 -> acl(ResourceType.GROUP, pt == PatternType.LITERAL ? String.format("bench-group-%03d", k % GROUPS)
              : "bench-app-" + (k % 50) + "-", pt, principal, host, AclOperation.READ, perm);
          case 2 -> acl(ResourceType.TRANSACTIONAL_ID, pt == PatternType.LITERAL ? "bench-tx-" + k : "bench-tx-" + (k % 40) + "-",
              pt, principal, host, k % 2 == 0 ? AclOperation.WRITE : AclOperation.DESCRIBE, perm);
          default -> acl(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, principal, host, clusterOps[k % 4], perm);
        };
        batch.add(b);
        if (batch.size() == ACL_BATCH || i == ACLS - 1) { admin.createAcls(batch).all().get(); batch.clear(); }
      }
      log("seed-large: " + ACLS + " ACLs created");
    }

    void scram(Admin admin) throws Exception {
      // ZooKeeper mode takes alterations of many users in one request (each user once)
      List<UserScramCredentialAlteration> ups = new ArrayList<>();
      for (int u = 0; u < SCRAM_USERS; u++)
        ups.add(new UserScramCredentialUpsertion(String.format("bench-user-%03d", u), new ScramCredentialInfo(
            u % 2 == 0 ? ScramMechanism.SCRAM_SHA_256 : ScramMechanism.SCRAM_SHA_512, 4096), "bench-secret-" + u));
      admin.alterUserScramCredentials(ups).all().get();
      log("seed-large: " + SCRAM_USERS + " SCRAM users");
    }

    void quotas(Admin admin) throws Exception {
      // a third each: user, client-id, user + client-id
      List<ClientQuotaAlteration> alts = new ArrayList<>();
      for (int q = 0; q < QUOTAS; q++) {
        Map<String, String> e = new LinkedHashMap<>();
        if (q % 3 != 1) e.put(ClientQuotaEntity.USER, String.format("bench-user-%03d", q));
        if (q % 3 != 0) e.put(ClientQuotaEntity.CLIENT_ID, String.format("bench-client-%03d", q));
        alts.add(new ClientQuotaAlteration(new ClientQuotaEntity(e), List.of(
            new ClientQuotaAlteration.Op("producer_byte_rate", 1_048_576.0 + q),
            new ClientQuotaAlteration.Op("consumer_byte_rate", 2_097_152.0 + q))));
      }
      admin.alterClientQuotas(alts).all().get();
      log("seed-large: " + QUOTAS + " client quotas");
    }
  }

  // ---------------------------------------------------------------------------------------------
  static final class Json {
    private final StringBuilder sb = new StringBuilder();
    private boolean firstKey = true, firstElem = true;

    void begin() { sb.append("{\n"); }
    void end() { sb.append("\n}\n"); }
    private void key(String k) {
      if (!firstKey) sb.append(",\n");
      firstKey = false;
      sb.append("  ").append(q(k)).append(": ");
    }
    Json kv(String k, String v) { key(k); sb.append(q(v)); return this; }
    void raw(String k, String json) { key(k); sb.append(json); }
    void arrayBegin(String k) { key(k); sb.append("["); firstElem = true; }
    void elem(String json) { sb.append(firstElem ? "\n    " : ",\n    ").append(json); firstElem = false; }
    void arrayEnd() { sb.append("\n  ]"); }
    public String toString() { return sb.toString(); }

    static String obj(Map<String, String> m) {
      StringBuilder b = new StringBuilder("{");
      boolean f = true;
      for (Map.Entry<String, String> e : m.entrySet()) {
        if (!f) b.append(',');
        f = false;
        b.append(q(e.getKey())).append(':').append(q(e.getValue()));
      }
      return b.append('}').toString();
    }

    static String q(String s) {
      if (s == null) return "null";
      StringBuilder b = new StringBuilder("\"");
      for (char c : s.toCharArray()) {
        switch (c) {
          case '"' -> b.append("\\\"");
          case '\\' -> b.append("\\\\");
          case '\n' -> b.append("\\n");
          default -> { if (c < 0x20) b.append(String.format("\\u%04x", (int) c)); else b.append(c); }
        }
      }
      return b.append('"').toString();
    }
  }
}
