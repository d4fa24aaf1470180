/* SPDX-License-Identifier: BSD-3-Clause */
/* The VF side: see vf_port.h. */
#define VIO_LOG_MODULE "vf"
#include "vf_port.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>
#include <rte_memory.h>
#include <rte_mempool.h>

#include "ctl_lock.h"
#include "log.h"

#define RX_DESC 512
#define TX_DESC 512
#define POOL_CACHE 64
#define MTU_DEFAULT 1500
#define MTU_JUMBO 9000
#define TX_L4_CSUM (RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM)

int vio_vf_attach(const struct vio_vf_dev *dev, uint16_t *port_id, char *err, size_t errlen)
{
	uint16_t port;
	int rc;

	VIO_ASSERT_CTL_HELD();
	if (rte_eth_dev_get_port_by_name(dev->name, &port) == 0) {
		snprintf(err, errlen, "device %s is already attached (port %u)", dev->name, port);
		return -EBUSY;
	}
	rc = rte_dev_probe(dev->devargs);
	if (rc) {
		snprintf(err, errlen, "cannot attach device %s: the probe failed (%s)%s",
			 dev->devargs, strerror(-rc),
			 dev->is_pci ? "; does it exist, bound to vfio-pci?"
				     : "; is the driver name and are its arguments right?");
		return rc < 0 ? rc : -ENODEV;
	}
	if (rte_eth_dev_get_port_by_name(dev->name, &port) != 0) {
		snprintf(err, errlen, "device %s was probed but created no ethdev port",
			 dev->devargs);
		rte_eal_hotplug_remove(dev->is_pci ? "pci" : "vdev", dev->name);
		return -ENODEV;
	}
	*port_id = port;
	return 0;
}

int vio_vf_numa(uint16_t port_id)
{
	int s = rte_eth_dev_socket_id(port_id);

	return s < 0 ? -1 : s;
}

struct rte_mempool *vio_mbuf_pool_create(const char *name, unsigned n, unsigned cache, int numa)
{
	struct rte_pktmbuf_pool_private priv = {
		.mbuf_data_room_size = RTE_MBUF_DEFAULT_BUF_SIZE,
		.mbuf_priv_size = 0,
	};
	unsigned flags = 0;
	struct rte_mempool *mp;

	/* Without hugepages memory comes in 4 KiB pages and an mbuf (2.3 KiB)
	 * may not straddle one unless IOVA contiguity is waived, which is
	 * safe when IOVA is the virtual address: otherwise every mbuf takes a
	 * whole page (8 MiB instead of 5 for a relay). */
	if (!rte_eal_has_hugepages() && rte_eal_iova_mode() == RTE_IOVA_VA)
		flags |= RTE_MEMPOOL_F_NO_IOVA_CONTIG;
	mp = rte_mempool_create_empty(name, n, sizeof(struct rte_mbuf) + RTE_MBUF_DEFAULT_BUF_SIZE,
				      cache, sizeof(priv), numa < 0 ? SOCKET_ID_ANY : numa, flags);
	if (!mp)
		return NULL;
	if (rte_mempool_set_ops_byname(mp, rte_mbuf_best_mempool_ops(), NULL)) {
		rte_mempool_free(mp);
		return NULL;
	}
	rte_pktmbuf_pool_init(mp, &priv);
	if (rte_mempool_populate_default(mp) < 0) {
		rte_mempool_free(mp);
		return NULL;
	}
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	return mp;
}

struct rte_mempool *vio_vf_pool_create(unsigned relay_id, int numa, bool jumbo, bool fallback)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	/* RX ring + TX ring + held bursts + per-lcore caches; not rounded up
	 * to 2^n-1 (that only saves ring memory, which is tiny next to 600
	 * more buffers: 1.4 MiB a relay, 90 MiB for 64). */
	unsigned n = RX_DESC + TX_DESC + 4 * VIO_BURST + POOL_CACHE * 4;
	struct rte_mempool *mp;

	static unsigned generation; /* [ctl] names stay unique across moves */

	VIO_ASSERT_CTL_HELD();
	snprintf(name, sizeof(name), "vio_relay%u_%u", relay_id, generation++);
	(void)jumbo; /* jumbo frames are chained 2 KiB buffers */
	mp = vio_mbuf_pool_create(name, n, POOL_CACHE, numa);
	if (!mp && numa >= 0 && fallback) {
		VIO_RLOG(WARNING, relay_id,
			 "no memory for buffers on NUMA node %d, using any "
			 "node",
			 numa);
		mp = vio_mbuf_pool_create(name, n, POOL_CACHE, -1);
	}
	return mp;
}

int vio_pool_node(const struct rte_mempool *mp)
{
	const struct rte_mempool_memhdr *hdr = STAILQ_FIRST(&mp->mem_list);
	const struct rte_memseg_list *msl;

	if (!hdr)
		return -1;
	msl = rte_mem_virt2memseg_list(hdr->addr);
	return msl ? msl->socket_id : -1;
}

/* The largest MTU the port accepts: its max_mtu, or when the driver leaves
 * that open, what its longest frame leaves after header and CRC (as ethdev
 * validates it). */
static uint16_t max_mtu(const struct rte_eth_dev_info *info)
{
	const uint32_t overhead = RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;
	uint32_t m = info->max_mtu ? info->max_mtu : UINT16_MAX;

	if (m == UINT16_MAX && info->max_rx_pktlen > overhead && info->max_rx_pktlen - overhead < m)
		m = info->max_rx_pktlen - overhead;
	return (uint16_t)m;
}

int vio_vf_configure(uint16_t port, struct rte_mempool *pool, struct vio_vf_opts *o,
		     char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = RX_DESC, nb_txd = TX_DESC;
	uint16_t mtu = o->jumbo ? MTU_JUMBO : MTU_DEFAULT;
	int numa = rte_eth_dev_socket_id(port);
	unsigned socket = numa < 0 ? (unsigned)SOCKET_ID_ANY : (unsigned)numa;
	int rc;

	VIO_ASSERT_CTL_HELD();
	rc = rte_eth_dev_info_get(port, &info);
	if (rc) {
		snprintf(err, errlen, "cannot read device info of port %u: %s", port,
			 strerror(-rc));
		return rc;
	}
	memset(&conf, 0, sizeof(conf));
	/* Checksums a guest leaves to the device: the VF's job when it can. */
	o->tx_csum = (info.tx_offload_capa & TX_L4_CSUM) == TX_L4_CSUM;
	if (o->tx_csum)
		conf.txmode.offloads |= TX_L4_CSUM;
	if (o->jumbo) {
		if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)
			conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
		if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
			conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	}
	if (mtu > max_mtu(&info)) {
		VIO_RLOG(WARNING, o->relay_id, "port %u supports MTU %u at most (wanted %u)", port,
			 max_mtu(&info), mtu);
		mtu = max_mtu(&info);
	}
	conf.rxmode.mtu = mtu;
	o->mtu = mtu;
	/* Link changes and removal come as interrupts where the port has them. */
	if (*info.dev_flags & RTE_ETH_DEV_INTR_LSC)
		conf.intr_conf.lsc = 1;
	if (*info.dev_flags & RTE_ETH_DEV_INTR_RMV)
		conf.intr_conf.rmv = 1;
	/* RX interrupts let an idle worker sleep until the VF has traffic;
	 * ports without them are polled with timed sleeps. */
	conf.intr_conf.rxq = 1;
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	o->rx_intr = rc == 0;
	if (rc) {
		conf.intr_conf.rxq = 0;
		rc = rte_eth_dev_configure(port, 1, 1, &conf);
	}
	if (rc) {
		snprintf(err, errlen, "cannot configure port %u: %s", port, strerror(-rc));
		return rc;
	}
	rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	rc = rte_eth_rx_queue_setup(port, 0, nb_rxd, socket,
				    NULL, pool);
	if (rc) {
		snprintf(err, errlen, "cannot set up the RX queue of port %u: %s", port,
			 strerror(-rc));
		return rc;
	}
	rc = rte_eth_tx_queue_setup(port, 0, nb_txd, socket,
				    NULL);
	if (rc) {
		snprintf(err, errlen, "cannot set up the TX queue of port %u: %s", port,
			 strerror(-rc));
		return rc;
	}
	rc = o->bond ? 0 : rte_eth_dev_set_mtu(port, mtu);
	if (rc && rc != -ENOTSUP)
		VIO_RLOG(WARNING, o->relay_id, "cannot set MTU %u on port %u: %s", mtu, port,
			 strerror(-rc));
	return 0;
}

int vio_vf_reset(uint16_t port, struct rte_mempool *pool, struct vio_vf_opts *o, char *err,
		 size_t errlen)
{
	int rc;

	VIO_ASSERT_CTL_HELD();
	rc = rte_eth_dev_reset(port);
	if (rc == -ENOTSUP) {
		/* No reset in this driver: a stop and a new configuration is
		 * what it can do. */
		VIO_RLOG(INFO, o->relay_id, "port %u has no reset: reconfiguring it", port);
		vio_vf_stop(port);
		rc = 0;
	}
	if (rc) {
		snprintf(err, errlen, "reset of port %u failed: %s", port, strerror(-rc));
		return rc;
	}
	return vio_vf_configure(port, pool, o, err, errlen);
}

int vio_vf_start(uint16_t port)
{
	int rc;

	VIO_ASSERT_CTL_HELD();
	rc = rte_eth_dev_start(port);
	if (rc)
		return rc;
	/* The guest's MAC is not the VF's: accept everything the VF gets. */
	rc = rte_eth_promiscuous_enable(port);
	if (rc && rc != -ENOTSUP)
		VIO_LOG(INFO, "port %u: promiscuous mode not available: %s", port,
			strerror(-rc));
	return 0;
}

void vio_vf_stop(uint16_t port)
{
	int rc;

	VIO_ASSERT_CTL_HELD();
	rc = rte_eth_dev_stop(port);
	if (rc)
		VIO_LOG(WARNING, "port %u: stop failed: %s", port, strerror(-rc));
}

void vio_vf_detach(uint16_t port)
{
	struct rte_eth_dev_info info;
	struct rte_device *dev = NULL;

	VIO_ASSERT_CTL_HELD();
	/* Capture the device before close: info calls fail after it. */
	if (rte_eth_dev_info_get(port, &info) == 0)
		dev = info.device;
	rte_eth_dev_close(port);
	if (dev) {
		int rc = rte_dev_remove(dev);

		if (rc)
			VIO_LOG(WARNING, "port %u: device removal failed: %s", port,
				strerror(-rc));
	}
}
